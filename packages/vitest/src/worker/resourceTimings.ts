import { resourceTimings } from './captured.js'

// Every fetch() adds a PerformanceResourceTiming to a global buffer that keeps up to 250 of them: a
// bounded buffer that 24 runs cannot see filling, so it looked like ~600 B leaked per fetch. While the
// sampled runs go on, the buffer takes no new entries (they are dropped, as when it is full).
const DEFAULT_RESOURCE_TIMING_BUFFER = 250
let resourceTimingsFrozen = false

export function freezeResourceTimings() {
  if (!resourceTimings.setBufferSize || resourceTimingsFrozen) return
  resourceTimings.setBufferSize(resourceTimings.count())
  resourceTimingsFrozen = true
}

export function thawResourceTimings() {
  if (!resourceTimingsFrozen) return
  resourceTimingsFrozen = false
  resourceTimings.setBufferSize?.(DEFAULT_RESOURCE_TIMING_BUFFER)
}
