import { describe, expect, it } from 'vitest'
import {
  compareWithStatic,
  ROLLING_SCENARIOS,
  SIMULATED_BOUNDS,
  SIMULATION_TARGETS,
  simulateRolling,
} from './rollingSimulation.js'

// The same runs as `pnpm sim:rolling`, so CI checks the targets the README table shows.
describe('rollingConcurrency simulation', () => {
  it('is deterministic for a seed', async () => {
    const scenario = { ...ROLLING_SCENARIOS[1]!, phases: [{ servers: 4, durationMs: 5_000 }] }
    const first = await simulateRolling(scenario, { adaptive: SIMULATED_BOUNDS })
    const second = await simulateRolling(scenario, { adaptive: SIMULATED_BOUNDS })
    expect(second).toEqual(first)
  })

  it.each(ROLLING_SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
    '%s: adaptive throughput ≥ 0.9 × the best static, p99 ≤ 1.2 × target, converged within 300 completions of each change',
    async (_name, scenario) => {
      const report = await compareWithStatic(scenario, SIMULATED_BOUNDS)
      expect(report.throughputRatio).toBeGreaterThanOrEqual(SIMULATION_TARGETS.throughputRatio)
      expect(report.adaptive.p99LatencyMs).toBeLessThanOrEqual(SIMULATION_TARGETS.p99OverTarget * scenario.targetLatencyMs)
      for (const samples of report.samplesToConverge) expect(samples).toBeLessThanOrEqual(SIMULATION_TARGETS.samplesToConverge)
    },
  )
})
