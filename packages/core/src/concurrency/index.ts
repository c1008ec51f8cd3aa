export { limitedPromiseAll, limitedPromiseAllSettled } from './limitedPromiseAll.js'
export type { LimitedPromiseAllOptions } from './limitedPromiseAll.js'
export { Semaphore } from './semaphore.js'
export type { ReleasePermit } from './semaphore.js'
