import { qtests } from './plugin/qtests.js'

export { type FailOn, type QtestsOptions, QtestsOptionsError, parseMemoryBudget } from './plugin/options.js'
export { qtests } from './plugin/qtests.js'
export { loadTest } from './load/loadTest.js'
export type { LoadTesterOptions, LoadTestResult } from '@qtests/core'
export type { FileReport, QtestsReport, TestReport, WorkersReport } from './report/schema.js'
export default qtests
