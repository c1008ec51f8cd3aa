import type { PoolRunnerInitializer } from 'vitest/node'
import { ForksPoolWorker, ThreadsPoolWorker, VmForksPoolWorker, VmThreadsPoolWorker } from 'vitest/node'
import { type GateKeeper, GatedPoolWorker } from './gatedWorker.js'

/** Vitest's own pools the adaptive gate can wrap; anything else runs as the user configured it. */
export const GATEABLE_POOLS = ['forks', 'threads', 'vmForks', 'vmThreads'] as const
export type GateablePool = (typeof GATEABLE_POOLS)[number]

const workers = {
  forks: ForksPoolWorker,
  threads: ThreadsPoolWorker,
  vmForks: VmForksPoolWorker,
  vmThreads: VmThreadsPoolWorker,
}

export function isGateablePool(pool: unknown): pool is GateablePool {
  return typeof pool === 'string' && (GATEABLE_POOLS as readonly string[]).includes(pool)
}

/** A pool for `test.pool` that runs Vitest's own worker for `base`, one file at a time per gate slot. */
export function adaptivePool(base: GateablePool, keeper: GateKeeper): PoolRunnerInitializer {
  const name = `qtests-${base}`
  const Worker = workers[base]
  return {
    name,
    createPoolWorker: (options) => new GatedPoolWorker(name, options, (inner) => new Worker(inner), keeper),
  }
}
