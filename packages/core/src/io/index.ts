export { bufferSizeFor, fileKind, MAX_BUFFER_BYTES, MAX_TEXT_BUFFER_BYTES } from './bufferSize.js'
export type { FileKind } from './bufferSize.js'
export { getFileSize, optimalBufferSize, shouldUseStreaming } from './files.js'
export type { BufferSizeOptions, StreamingOptions } from './files.js'
