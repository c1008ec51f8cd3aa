export * from './leaks/index.js'
export { formatBytes } from './format/bytes.js'
export * from './adaptive/index.js'
export * from './rateLimit/index.js'
