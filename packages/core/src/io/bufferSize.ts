/** What kind of file is read: text is usually parsed chunk by chunk, binary piped on. */
export type FileKind = 'text' | 'binary'

const KiB = 1024
const MiB = 1024 * KiB
/** Largest buffer chosen: past 1 MiB a 1 GB copy here got no faster, and each stream holds up to two. */
export const MAX_BUFFER_BYTES = MiB
/**
 * Largest buffer for text: a line or JSON parser keeps each chunk as a string until it has split it,
 * so bigger chunks raise its peak memory without making the parse faster.
 */
export const MAX_TEXT_BUFFER_BYTES = 256 * KiB
const PAGE = 4 * KiB

/**
 * The highWaterMark for reading a file, bytes. Pure: the caller passes what it knows.
 * - a file no larger than `defaultBytes` is read in one buffer of its size (rounded up to 4 KiB);
 * - a larger one gets 1/64 of its size rounded down to a power of two, between `defaultBytes` and 1 MiB
 *   (256 KiB for text): fewer, larger reads for large files;
 * - never more than 1/256 of free memory (a thousand streams of a large file cannot exhaust it), and
 *   never less than 4 KiB.
 * An unknown size (a pipe, a device) gets `defaultBytes`.
 */
export function bufferSizeFor(
  sizeBytes: number | undefined,
  kind: FileKind,
  freeBytes: number,
  defaultBytes: number,
): number {
  let bytes: number
  if (sizeBytes === undefined) bytes = defaultBytes
  else if (sizeBytes <= defaultBytes) bytes = Math.max(PAGE, Math.ceil(sizeBytes / PAGE) * PAGE)
  else {
    const cap = kind === 'text' ? MAX_TEXT_BUFFER_BYTES : MAX_BUFFER_BYTES
    const scaled = 2 ** Math.floor(Math.log2(sizeBytes / 64))
    bytes = Math.max(defaultBytes, Math.min(cap, scaled))
  }
  return Math.max(PAGE, Math.min(bytes, Math.floor(freeBytes / 256 / PAGE) * PAGE))
}

// Formats read line by line or as a document; everything else is treated as binary.
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'csv',
  'tsv',
  'json',
  'jsonl',
  'ndjson',
  'xml',
  'html',
  'htm',
  'md',
  'yaml',
  'yml',
  'sql',
  'js',
  'mjs',
  'ts',
  'css',
  'svg',
])

/** 'text' for extensions of formats that are parsed as text, else 'binary'. */
export function fileKind(path: string): FileKind {
  const dot = path.lastIndexOf('.')
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  if (dot <= slash + 1) return 'binary'
  return TEXT_EXTENSIONS.has(path.slice(dot + 1).toLowerCase()) ? 'text' : 'binary'
}
