import { describe, expect, it } from 'vitest'
import { aspectRatio, renderedCount, renderThumbnail } from '../src/thumbnail-store.js'

const images = Array.from({ length: 12 }, (_, i) => `img-${i + 1}`)

describe('retained-buffers', () => {
  it('renders a 128x128 RGBA thumbnail', () => {
    const before = renderedCount()
    const thumbnail = renderThumbnail('hero', 128, 128)
    expect(thumbnail.pixels.byteLength).toBe(65_536)
    expect(renderedCount()).toBe(before + 1)
  })

  it('computes an aspect ratio', () => {
    expect(aspectRatio(1920, 1080)).toBeCloseTo(16 / 9)
  })

  it.each(images)('renders %s at 96x96', (id) => {
    expect(renderThumbnail(id, 96, 96).pixels.byteLength).toBe(36_864)
  })
})
