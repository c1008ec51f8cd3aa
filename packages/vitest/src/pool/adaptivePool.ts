import type { PoolOptions, PoolRunnerInitializer, PoolWorker } from 'vitest/node'
import type { GateKeeper } from './gateKeeper.js'
import { GatedPoolWorker } from './gatedWorker.js'
import { heapFlagIn, mainHeapArgs, withHeapMb } from './memoryAdmission.js'
import { vitestDefaultWorkers, vmMemoryBase } from '../plugin/vitestConfig.js'
import { vmWorkerMemoryLimit } from './vmMemoryLimit.js'
import { threadFieldOf, vitestWorkers, withThreadHeap } from './vitestWorkers.js'

/** Vitest's own pools the adaptive gate can wrap; anything else runs as the user configured it. */
export const GATEABLE_POOLS = ['forks', 'threads', 'vmForks', 'vmThreads'] as const
export type GateablePool = (typeof GATEABLE_POOLS)[number]

const workers = vitestWorkers

export function isGateablePool(pool: unknown): pool is GateablePool {
  return typeof pool === 'string' && (GATEABLE_POOLS as readonly string[]).includes(pool)
}

/** A pool for `test.pool` that runs Vitest's own worker for `base`, one file at a time per gate slot. */
export function adaptivePool(base: GateablePool, keeper: GateKeeper): PoolRunnerInitializer {
  const name = `qtests-${base}`
  // Vitest creates a worker per file: whether a retry's heap can be raised (process flags, Vitest's class)
  // does not change during the run, so it is worked out once.
  let heapFixed: { why: string | undefined } | undefined
  return {
    name,
    createPoolWorker: (options) => {
      heapFixed ??= { why: retryHeapFixed(base, options) }
      return new GatedPoolWorker(name, options, (inner, heapMb) => createWorker(base, inner, heapMb), keeper, {
        heapFixed: heapFixed.why,
        memoryLimitBytes: vmMemoryLimitOf(base, options),
      })
    },
  }
}

/**
 * `vmMemoryLimit` in bytes for the vm pools, as Vitest works it out: by default 1 / the workers plain Vitest would
 * run (not the gate's raised `maxWorkers`) of memory, halved in watch mode; null for other pools.
 */
function vmMemoryLimitOf(base: GateablePool, options: PoolOptions): number | null {
  if (base !== 'vmForks' && base !== 'vmThreads') return null
  const vitest = options.project.vitest
  return vmWorkerMemoryLimit(vitest.config.vmMemoryLimit, vitestDefaultWorkers(vitest), vmMemoryBase(vitest))
}

/**
 * Why a crashed file's retry in this pool cannot get more heap; undefined when it can. A forked worker
 * always can. A thread cannot when this process has a heap flag (Node then imposes it on every thread and
 * ignores `resourceLimits`), nor when Vitest's thread worker no longer has the field `withThreadHeap` sets.
 */
export function retryHeapFixed(base: GateablePool, options: PoolOptions): string | undefined {
  if (base === 'forks' || base === 'vmForks') return undefined
  if (heapFlagIn(mainHeapArgs(process.execArgv, process.env.NODE_OPTIONS))) {
    return "Node gives worker threads the main process's --max-old-space-size"
  }
  // Constructing Vitest's worker starts nothing; it only shows whether the field is there.
  if (!threadFieldOf(new vitestWorkers.threads(options))) return "this Vitest's thread worker takes no heap limit"
  return undefined
}

/**
 * Vitest's worker for `base`; with `heapMb` (a crashed file's retry), one with that heap limit. A forked
 * worker takes it as `--max-old-space-size`; a thread refuses that flag, so its limit goes in `resourceLimits`.
 */
export function createWorker(base: GateablePool, options: PoolOptions, heapMb?: number): PoolWorker {
  if (heapMb === undefined) return new workers[base](options)
  if (base === 'forks' || base === 'vmForks')
    return new workers[base]({ ...options, execArgv: withHeapMb(options.execArgv, heapMb) })
  return new (withThreadHeap(workers[base] as typeof vitestWorkers.threads, heapMb))(options)
}
