import { stat } from 'node:fs/promises'
import { freemem } from 'node:os'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'
import { bufferSizeFor, fileKind } from './bufferSize.js'

/** Node's own highWaterMark for fs read streams. */
const NODE_DEFAULT_BYTES = 64 * 1024

/** Size of the file at `path`, bytes (following symlinks). Rejects as fs.stat does (ENOENT, EACCES). */
export async function getFileSize(path: string): Promise<number> {
  return (await stat(path)).size
}

export interface StreamingOptions {
  /** Files at least this large are streamed. Default 1 MiB: past it, reading whole files per request fills the heap of a busy service. */
  thresholdBytes?: number
}

/**
 * Whether to stream `path` instead of reading it whole: true for a file of at least `thresholdBytes`,
 * for one larger than a quarter of free memory, and for anything that is not a regular file (a pipe or
 * a device has no size to trust).
 */
export async function shouldUseStreaming(path: string, options?: StreamingOptions): Promise<boolean> {
  const opts = checkOptionsObject('shouldUseStreaming', options) as StreamingOptions
  checkKnownKeys('shouldUseStreaming', opts, ['thresholdBytes'])
  const thresholdBytes = checkOption(
    'shouldUseStreaming',
    'thresholdBytes',
    opts.thresholdBytes ?? 1024 * 1024,
    is.nonNegative,
    'a number of bytes ≥ 0',
  )
  const info = await stat(path)
  if (!info.isFile()) return true
  return info.size >= thresholdBytes || info.size > freemem() / 4
}

export interface BufferSizeOptions {
  /** The buffer for small files' ceiling and large files' floor, bytes. Default 64 KiB, Node's own for fs streams. */
  defaultBytes?: number
}

/**
 * A highWaterMark for `fs.createReadStream(path, { highWaterMark })` (and the write side of a copy)
 * from the file's size, kind (text or binary, by extension) and free memory; see `bufferSizeFor`.
 */
export async function optimalBufferSize(path: string, options?: BufferSizeOptions): Promise<number> {
  const opts = checkOptionsObject('optimalBufferSize', options) as BufferSizeOptions
  checkKnownKeys('optimalBufferSize', opts, ['defaultBytes'])
  const defaultBytes = checkOption(
    'optimalBufferSize',
    'defaultBytes',
    opts.defaultBytes ?? NODE_DEFAULT_BYTES,
    (v) => is.positiveInteger(v) && (v as number) >= 4096,
    'an integer number of bytes ≥ 4096',
  )
  const info = await stat(path)
  return bufferSizeFor(info.isFile() ? info.size : undefined, fileKind(path), freemem(), defaultBytes)
}
