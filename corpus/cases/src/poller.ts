import { numbers } from './payload.js'

export interface Poller {
  samples(): number
  stop(): void
}

// Polls on an interval and keeps a window of readings; callers are expected to stop() it.
export function startPoller(intervalMs: number, windowSize: number): Poller {
  const window = numbers(windowSize)
  let taken = 0
  const timer = setInterval(() => {
    window[taken++ % window.length] = taken
  }, intervalMs)
  return {
    samples: () => taken,
    stop: () => clearInterval(timer),
  }
}
