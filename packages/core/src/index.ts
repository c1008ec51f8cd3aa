export * from './leaks/index.js'
export { formatBytes } from './format/bytes.js'
export * from './concurrency/index.js'
export * from './resilience/index.js'
