export { PerformanceMonitor } from './performanceMonitor.js'
export type { GcKindSummary, MonitorSummary, PerformanceMonitorOptions } from './performanceMonitor.js'
export type { SamplingOptions } from './samplingRate.js'
export type { MonitorPoint } from './timeline.js'
