export interface Thumbnail {
  id: string
  width: number
  height: number
  pixels: Buffer
}

// Rendered RGBA thumbnails kept "for reuse"; the pixel data lives outside the V8 heap.
const rendered: Thumbnail[] = []

export function renderThumbnail(id: string, width: number, height: number): Thumbnail {
  const thumbnail = { id, width, height, pixels: Buffer.alloc(width * height * 4) }
  rendered.push(thumbnail)
  return thumbnail
}

export function renderedCount(): number {
  return rendered.length
}

export function aspectRatio(width: number, height: number): number {
  return width / height
}
