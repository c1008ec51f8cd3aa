import type { StatementHistory } from './statementHistory.js'

export interface TimeoutPolicy {
  minTimeoutMs: number
  maxTimeoutMs: number
  /** Milliseconds allowed per unit of planner cost before any history exists. */
  msPerCostUnit: number
  /** Runs of a statement after which its own p99 (× headroom) replaces the planner's cost. */
  historyMinSamples: number
  /** Factor on the p99 run time: room for a slower run than any seen. */
  latencyHeadroom: number
}

/**
 * The statement_timeout for one run, ms, within [minTimeoutMs, maxTimeoutMs]. Until a statement has
 * `historyMinSamples` runs: minTimeoutMs + planner cost × msPerCostUnit (an unknown cost gets the
 * maximum). After: its p99 run time × latencyHeadroom, so the timeout follows what the statement
 * really takes, whichever way the planner was wrong. Pure.
 */
export function scaleTimeoutMs(
  cost: number | null,
  history: StatementHistory | undefined,
  policy: TimeoutPolicy,
): number {
  const clamp = (ms: number) => Math.round(Math.min(policy.maxTimeoutMs, Math.max(policy.minTimeoutMs, ms)))
  if (history !== undefined && history.samples >= policy.historyMinSamples) {
    return clamp(history.stats().p99Ms * policy.latencyHeadroom)
  }
  if (cost === null) return policy.maxTimeoutMs
  return clamp(policy.minTimeoutMs + cost * policy.msPerCostUnit)
}
