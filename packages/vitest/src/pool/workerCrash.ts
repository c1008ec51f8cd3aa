// How a dead worker is described: in the report's retries, and to Vitest when the retry fails too.

/** How a worker that aborted (SIGABRT) is described until its memory says whether the heap ran out. */
export const ABORTED = 'worker exited: aborted (SIGABRT)'
export const OUT_OF_MEMORY = 'worker exited: heap out of memory (SIGABRT)'

export function describeExit(code: unknown, signal: unknown, outOfMemory: boolean): string {
  // V8 aborts when the heap runs out, but so do native crashes and process.abort(): unless V8 said so, the
  // keeper tells them apart by the memory the worker had reached.
  if (signal === 'SIGABRT' || code === 134) return outOfMemory ? OUT_OF_MEMORY : ABORTED
  if (typeof signal === 'string' && signal) return `worker exited: killed by ${signal}`
  return `worker exited unexpectedly with code ${String(code)}`
}

export function describeError(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'worker exited: heap out of memory'
  return `worker error: ${error instanceof Error ? error.message : String(error)}`
}

/** V8's own words on a worker's stderr when its heap runs out: the only sure sign, for a forked worker. */
export function saysOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Reached heap limit/.test(stderr)
}
