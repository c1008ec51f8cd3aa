/**
 * Whether one more test file may start without the run's memory (Vitest's main process and its workers)
 * going over the budget. Pure: the pool measures, this decides.
 *
 * Every running file is counted at the larger of what its worker uses now and what it is expected to
 * reach (its peak in earlier runs), because a file that just started has not allocated yet. The measured
 * total wins when it is larger (idle workers kept for reuse, thread workers sharing the main RSS).
 */

export interface RunningFileMemory {
  /** RSS of the file's worker now; undefined when it cannot be read per worker (threads). */
  currentBytes: number | undefined
  expectedPeakBytes: number
}

export interface AdmissionInput {
  budgetBytes: number
  /** The run's RSS as last measured: main process and workers. */
  measuredTotalBytes: number
  /** What no file accounts for: the main process's RSS. */
  baseBytes: number
  running: readonly RunningFileMemory[]
  candidatePeakBytes: number
}

/** Room kept free below the budget: RSS is sampled each tick (250 ms by default, see `sampling.*`) and a file's peak varies a little between runs. */
export const BUDGET_HEADROOM = 0.95

export function projectedBytes(input: Omit<AdmissionInput, 'candidatePeakBytes' | 'budgetBytes'>): number {
  let sum = input.baseBytes
  for (const file of input.running) sum += Math.max(file.currentBytes ?? 0, file.expectedPeakBytes)
  return Math.max(sum, input.measuredTotalBytes)
}

export function fitsMemoryBudget(input: AdmissionInput): boolean {
  return projectedBytes(input) + input.candidatePeakBytes <= input.budgetBytes * BUDGET_HEADROOM
}

/**
 * The peak to expect from a file no earlier run has seen: the largest any file reached in this run, or
 * a fresh worker's typical footprint before any file finished.
 */
export function expectedPeakBytes(
  history: number | null | undefined,
  largestSeenBytes: number,
  freshWorkerBytes: number,
): number {
  if (typeof history === 'number' && history > 0) return history
  return Math.max(largestSeenBytes, freshWorkerBytes)
}

/** The heap limit, in MiB, for a file's retry: twice what it had (V8's default when none was set). */
export function retryHeapMb(execArgv: readonly string[], defaultHeapMb: number): number {
  return (currentHeapMb(execArgv) ?? defaultHeapMb) * 2
}

export function currentHeapMb(execArgv: readonly string[]): number | undefined {
  for (let i = execArgv.length - 1; i >= 0; i--) {
    const match = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(execArgv[i]!)
    if (match) return Number(match[1])
  }
  return undefined
}

/**
 * The arguments that set this process's heap: its command line and NODE_OPTIONS. When they hold
 * `--max-old-space-size`, Node gives every worker thread that heap and ignores `resourceLimits`, so a
 * thread's retry cannot get more.
 */
export function mainHeapArgs(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter(Boolean)]
}

export function heapFlagIn(args: readonly string[]): boolean {
  return args.some((arg) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(arg))
}

export function withHeapMb(execArgv: readonly string[], heapMb: number): string[] {
  return [...execArgv.filter((arg) => !/^--max[-_]old[-_]space[-_]size=/.test(arg)), `--max-old-space-size=${heapMb}`]
}

/**
 * The memory a `'60%'` budget is a share of: the machine's, or the container's limit when that is lower
 * (a CI job in a 4 GB container on a 64 GB host must not plan for 38 GB). `constrained` is
 * `process.constrainedMemory()`: undefined or 0 when unknown, a huge number when unlimited.
 */
export function usableMemoryBytes(totalBytes: number, constrained: number | undefined): number {
  if (constrained === undefined || !Number.isFinite(constrained) || constrained <= 0) return totalBytes
  return Math.min(totalBytes, constrained)
}
