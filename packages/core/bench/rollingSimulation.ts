// Discrete-event simulation in virtual time of rollingConcurrency against a queueing service: the real
// rollingConcurrency and AdaptiveLimiter run unchanged; only the clock and the service are simulated.
import { rollingConcurrency } from '../src/adaptive/rollingConcurrency.js'
import { median } from '../src/leaks/median.js'
import { mulberry32 } from '../test/random.js'

export interface CapacityPhase {
  /** Servers (work that runs at once without queueing) during this phase. */
  servers: number
  /** Virtual time the phase lasts, ms. */
  durationMs: number
}

export interface SimulationScenario {
  name: string
  /** Capacity over time; a change between phases is what the limiter must follow. */
  phases: CapacityPhase[]
  /** Mean service time of one task, ms (lognormal). */
  meanServiceMs: number
  /** Spread of the lognormal service time (sigma of its logarithm). */
  serviceSigma: number
  /** Latency the tail should stay under, ms (passed to rollingConcurrency as targetLatency). */
  targetLatencyMs: number
  seed: number
}

export type ConcurrencyPolicy = { static: number } | { adaptive: { initial: number; min: number; max: number } }

export interface SimulationRun {
  completions: number
  durationMs: number
  throughputPerS: number
  p99LatencyMs: number
  /** Concurrency limit in force after each completion (index = completion number). */
  limitAfter: number[]
  /** Completion index at which each phase began (first entry 0). */
  phaseStartIndex: number[]
}

/** Runs one policy against the scenario's service until the last phase ends and in-flight work drains. */
export async function simulateRolling(scenario: SimulationScenario, policy: ConcurrencyPolicy): Promise<SimulationRun> {
  const random = mulberry32(scenario.seed)
  const mu = Math.log(scenario.meanServiceMs) - scenario.serviceSigma ** 2 / 2
  const serviceMs = (): number => {
    // Box–Muller; 1 - random() keeps the logarithm finite.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    return Math.exp(mu + scenario.serviceSigma * normal)
  }

  const events = new EventQueue()
  let clockMs = 0
  let servers = scenario.phases[0]!.servers
  let busy = 0
  const waiting: Array<() => void> = []
  const startService = (done: () => void): void => {
    busy++
    events.push(clockMs + serviceMs(), () => {
      busy--
      done()
      drain()
    })
  }
  const drain = (): void => {
    while (busy < servers && waiting.length > 0) startService(waiting.shift()!)
  }

  let completions = 0
  const latencies: number[] = []
  const limitAfter: number[] = []
  const phaseStartIndex: number[] = [0]
  let phaseEndMs = 0
  for (const [i, phase] of scenario.phases.entries()) {
    phaseEndMs += phase.durationMs
    const next = scenario.phases[i + 1]
    if (next) {
      events.push(phaseEndMs, () => {
        servers = next.servers
        phaseStartIndex.push(completions)
        drain()
      })
    }
  }
  const endMs = phaseEndMs

  let limit = 'static' in policy ? policy.static : policy.adaptive.initial
  function* tasks(): Generator<() => Promise<void>> {
    while (clockMs < endMs) {
      yield () =>
        new Promise<void>((resolve) => {
          const submittedMs = clockMs
          const done = (): void => {
            completions++
            latencies.push(clockMs - submittedMs)
            resolve()
            // rollingConcurrency records this completion in a microtask; the limit is read after it.
            queueMicrotask(() => limitAfter.push(limit))
          }
          if (busy < servers) startService(done)
          else waiting.push(done)
        })
    }
  }

  const bounds =
    'static' in policy
      ? { initialConcurrency: policy.static, minConcurrency: policy.static, maxConcurrency: policy.static }
      : {
          initialConcurrency: policy.adaptive.initial,
          minConcurrency: policy.adaptive.min,
          maxConcurrency: policy.adaptive.max,
        }
  const run = rollingConcurrency(tasks(), {
    ...bounds,
    targetLatency: scenario.targetLatencyMs,
    now: () => clockMs,
    onLimitChange: (next) => {
      limit = next
    },
  })
  await settleMicrotasks()
  for (let event = events.pop(); event; event = events.pop()) {
    clockMs = event.atMs
    event.run()
    await settleMicrotasks()
  }
  await run

  const sorted = Float64Array.from(latencies).sort()
  return {
    completions,
    durationMs: clockMs,
    throughputPerS: (completions / clockMs) * 1000,
    p99LatencyMs: sorted[Math.ceil(0.99 * sorted.length) - 1] ?? 0,
    limitAfter,
    phaseStartIndex,
  }
}

function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Binary min-heap of timed events; ties run in insertion order so runs are deterministic. */
class EventQueue {
  #heap: Array<{ atMs: number; order: number; run: () => void }> = []
  #order = 0

  push(atMs: number, run: () => void): void {
    const heap = this.#heap
    heap.push({ atMs, order: this.#order++, run })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  pop(): { atMs: number; run: () => void } | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    heap[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === i) return top
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
  }
}

function before(a: { atMs: number; order: number }, b: { atMs: number; order: number }): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order)
}

export const STATIC_CONCURRENCIES = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64] as const

/**
 * "Converged": the median limit over the last `span` completions lies within `low`–`high` × the phase's
 * servers (the knee), rounded outward to integers. A median, because the limit saws up and down by design.
 */
export const CONVERGED = { low: 0.8, high: 1.5, span: 64 } as const

/**
 * Completions after each phase start until the limit is converged and stays so for the rest of the phase;
 * undefined when it never does.
 */
export function samplesToConverge(run: SimulationRun, scenario: SimulationScenario): Array<number | undefined> {
  return scenario.phases.map((phase, i) => {
    const start = run.phaseStartIndex[i]!
    const end = run.phaseStartIndex[i + 1] ?? run.limitAfter.length
    const low = Math.floor(CONVERGED.low * phase.servers)
    const high = Math.ceil(CONVERGED.high * phase.servers)
    let settledAt: number | undefined
    for (let k = start; k < end; k++) {
      const recent = run.limitAfter.slice(Math.max(start, k + 1 - CONVERGED.span), k + 1)
      const limit = median(recent)
      const inside = limit >= low && limit <= high
      if (!inside) settledAt = undefined
      else if (settledAt === undefined) settledAt = k
    }
    return settledAt === undefined ? undefined : settledAt - start
  })
}

export interface ScenarioReport {
  scenario: SimulationScenario
  bestStatic: { concurrency: number; run: SimulationRun } | undefined
  adaptive: SimulationRun
  /**
   * Adaptive throughput / best static throughput; undefined when no static concurrency met the p99 limit,
   * so there is nothing to compare with (an Infinity here once let a broken scenario pass every target).
   */
  throughputRatio: number | undefined
  samplesToConverge: Array<number | undefined>
}

/** Runs the static grid and the adaptive policy on one scenario. */
export async function compareWithStatic(
  scenario: SimulationScenario,
  adaptive: { initial: number; min: number; max: number },
): Promise<ScenarioReport> {
  let bestStatic: ScenarioReport['bestStatic']
  for (const concurrency of STATIC_CONCURRENCIES) {
    const run = await simulateRolling(scenario, { static: concurrency })
    if (run.p99LatencyMs > 1.2 * scenario.targetLatencyMs) continue
    if (!bestStatic || run.throughputPerS > bestStatic.run.throughputPerS) bestStatic = { concurrency, run }
  }
  const run = await simulateRolling(scenario, { adaptive })
  return {
    scenario,
    bestStatic,
    adaptive: run,
    throughputRatio: bestStatic ? run.throughputPerS / bestStatic.run.throughputPerS : undefined,
    samplesToConverge: samplesToConverge(run, scenario),
  }
}

const SERVICE = { meanServiceMs: 100, serviceSigma: 0.4, targetLatencyMs: 300 } as const

/** Scenarios of `pnpm sim:rolling` and of its test: 100 ms lognormal service times (p99 ≈ 235 ms), target 300 ms. */
export const ROLLING_SCENARIOS: SimulationScenario[] = [
  { ...SERVICE, name: 'steady, 16 servers', phases: [{ servers: 16, durationMs: 40_000 }], seed: 1 },
  { ...SERVICE, name: 'steady, 4 servers', phases: [{ servers: 4, durationMs: 40_000 }], seed: 2 },
  {
    ...SERVICE,
    name: 'capacity 16 → 6 → 24',
    phases: [
      { servers: 16, durationMs: 30_000 },
      { servers: 6, durationMs: 30_000 },
      { servers: 24, durationMs: 30_000 },
    ],
    seed: 3,
  },
]

/** Adaptive bounds of the simulation: a low start, so slow start is part of what is measured. */
export const SIMULATED_BOUNDS = { initial: 2, min: 1, max: 64 } as const

/** Targets the simulation must meet. */
export const SIMULATION_TARGETS = {
  /** Adaptive throughput at least this fraction of the best static concurrency's. */
  throughputRatio: 0.9,
  /** Adaptive p99 at most this multiple of targetLatency. */
  p99OverTarget: 1.2,
  /** Completions after a capacity change (or the start) until converged. */
  samplesToConverge: 300,
} as const

export function meetsTargets(report: ScenarioReport): boolean {
  return (
    report.throughputRatio !== undefined &&
    report.throughputRatio >= SIMULATION_TARGETS.throughputRatio &&
    report.adaptive.p99LatencyMs <= SIMULATION_TARGETS.p99OverTarget * report.scenario.targetLatencyMs &&
    report.samplesToConverge.every((n) => n !== undefined && n <= SIMULATION_TARGETS.samplesToConverge)
  )
}

/** A plain-text table: one row per scenario. */
export function formatSimulationTable(reports: ScenarioReport[]): string {
  const header = [
    'scenario',
    'servers',
    'best static (conc, tasks/s)',
    'adaptive tasks/s',
    'ratio',
    'adaptive p99 / target (ms)',
    'samples to converge',
    'result',
  ]
  const rows = reports.map((r) => [
    r.scenario.name,
    r.scenario.phases.map((p) => p.servers).join(' → '),
    r.bestStatic ? `${r.bestStatic.concurrency}, ${r.bestStatic.run.throughputPerS.toFixed(1)}` : 'none within p99',
    r.adaptive.throughputPerS.toFixed(1),
    r.throughputRatio === undefined ? 'none' : r.throughputRatio.toFixed(2),
    `${r.adaptive.p99LatencyMs.toFixed(0)} / ${r.scenario.targetLatencyMs}`,
    r.samplesToConverge.map((n) => (n === undefined ? 'never' : String(n))).join(' → '),
    meetsTargets(r) ? 'pass' : 'FAIL',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
