// Discrete-event simulation (virtual time, seeded) of rollingConcurrency against a queueing service.
// Run with `pnpm --filter @qtests/core sim:rolling` (compiles this simulation into bench/.generated first).
import {
  CONVERGED,
  compareWithStatic,
  formatSimulationTable,
  meetsTargets,
  ROLLING_SCENARIOS,
  SIMULATED_BOUNDS,
  SIMULATION_TARGETS,
} from './.generated/bench/rollingSimulation.js'

const reports = []
for (const scenario of ROLLING_SCENARIOS) reports.push(await compareWithStatic(scenario, SIMULATED_BOUNDS))
console.log(formatSimulationTable(reports))
console.log(
  `\nTargets: throughput ≥ ${SIMULATION_TARGETS.throughputRatio} × best static (p99 ≤ ${SIMULATION_TARGETS.p99OverTarget} × target); ` +
    `adaptive p99 ≤ ${SIMULATION_TARGETS.p99OverTarget} × target; converged within ${SIMULATION_TARGETS.samplesToConverge} completions of each phase start.\n` +
    `Converged: median limit over the last ${CONVERGED.span} completions within ${CONVERGED.low}–${CONVERGED.high} × servers, until the phase ends.`,
)
// A benchmark reports; the test in src/adaptive/rollingSimulation.test.ts is what fails CI on a missed target.
if (!reports.every(meetsTargets)) console.log('\nSome targets are missed (see the result column).')
