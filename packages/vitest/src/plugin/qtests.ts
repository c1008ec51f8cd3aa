/// <reference types="vitest/config" />
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Vite } from 'vitest/node'
import type { TestProject, Vitest } from 'vitest/node'
import { adaptivePool, isGateablePool } from '../pool/adaptivePool.js'
import { usableMemoryBytes } from '../pool/memoryAdmission.js'
import { WorkerScaling } from '../pool/workerScaling.js'
import { cleanHistoryPath, loadCleanHistory, reusableCleanFiles, verdictSettings } from '../report/cleanHistory.js'
import { QtestsReporter } from '../report/reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../shared/protocol.js'
import { parseMemoryBudget, type QtestsOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { ownFiles, probesRunner, reportDir } from './paths.js'

/**
 * One worker scaling and one reporter per Vitest instance, however many copies of this module run: a
 * config that imports the plugin by a relative path is bundled, and Vitest evaluates it again for each
 * project that `extends` it — each copy would otherwise add its own reporter and gate.
 */
const SCALING_KEY = Symbol.for('@qtests/vitest scaling by Vitest instance')
const shared = globalThis as Record<symbol, WeakMap<Vitest, WorkerScaling | null> | undefined>
shared[SCALING_KEY] ??= new WeakMap()
const scalingByVitest = shared[SCALING_KEY]

/**
 * The qtests Vitest plugin: `plugins: [qtests()]`. Options are validated here, when the config is
 * loaded, so a bad value stops the run with one error naming the key, the value and what is allowed.
 */
export function qtests(options?: QtestsOptions): Vite.Plugin {
  const resolved = resolveOptions(options)
  return {
    name: 'qtests',
    config() {
      return { test: { server: { deps: { external: [ownFiles] } } } }
    },
    configureVitest({ vitest, project }) {
      if (!scalingByVitest.has(vitest)) {
        const scaling = createWorkerScaling(vitest, resolved)
        scalingByVitest.set(vitest, scaling)
        vitest.config.reporters.push(new QtestsReporter(resolved, scaling ?? undefined))
      }
      configureProject(project, resolved, vitest)
      const scaling = scalingByVitest.get(vitest)
      if (scaling) gateProject(project, scaling, vitest)
    },
  }
}

function configureProject(project: TestProject, options: ResolvedOptions, vitest: Vitest) {
  const worker: WorkerConfig = {
    mode: options.leaks.mode,
    iterations: options.leaks.iterations,
    minBytesPerIteration: options.leaks.minBytesPerIteration,
    allocationSampleBytes: options.leaks.allocationSites ? 8192 : 0,
    measureBudget: options.leaks.measureBudget,
    // Half the floor: cheap samples of a leak at the floor rise by about that much between full GCs' worth
    // of tests; code compiled for each new test (5–10 KB per test, measured) sometimes crosses it too.
    measureSuspicionBytesPerTest: options.leaks.minBytesPerTest / 2,
  }
  if (project.config.browser?.enabled) {
    vitest.logger.warn(` qtests  browser mode is not measured (project ${project.name || 'root'}): its tests run in a browser, outside Node's heap.`)
    worker.mode = 'off'
  }
  // Watch mode decides once and reruns changed files: it probes every file.
  if (worker.mode === 'measure' && !vitest.config.watch && options.leaks.reuseClean)
    worker.reuseCleanFiles = reusableCleanFiles(loadCleanHistory(cleanHistoryPath(reportDir(vitest.config.root, options))), verdictSettings(vitest, options, project.name))
  project.provide(WORKER_CONFIG_KEY as never, worker as never)
  if (worker.mode === 'off') return
  const userRunner = project.config.runner
  project.config.runner = userRunner ? wrapUserRunner(userRunner) : probesRunner
}

/** A user's custom runner keeps working: a small module extends it with the probes. */
function wrapUserRunner(userRunner: string): string {
  const id = createHash('sha1').update(`${userRunner}\0${probesRunner}`).digest('hex').slice(0, 12)
  const dir = path.join(os.tmpdir(), 'qtests-runners')
  const file = path.join(dir, `runner-${id}.mjs`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    file,
    [
      `import Base from ${JSON.stringify(pathToFileURL(userRunner).href)}`,
      `import { withLeakProbes } from ${JSON.stringify(pathToFileURL(probesRunner).href)}`,
      'export default withLeakProbes(Base)',
      '',
    ].join('\n'),
  )
  return file
}

/**
 * Default upper bound, whatever the number of cores: the limit itself is held by the CPUs (no growth at
 * 97% busy) and the memory budget, so the bound only matters for files that wait. bench/workers' I/O-bound
 * suite on 2 CPUs is fastest at 16 workers (README table: 26.9 s; 8 workers: 28.4 s), which a per-core
 * bound of 8 missed.
 */
const DEFAULT_MAX_WORKERS = 16

function createWorkerScaling(vitest: Vitest, options: ResolvedOptions): WorkerScaling | null {
  const { workers } = options
  if (!workers.adaptive) return null
  const say = (message: string) => vitest.logger.warn(` qtests  ${message}`)
  // An explicit --maxWorkers (or fileParallelism: false, which makes it 1) is the user's ceiling.
  const userMax = vitest.config.maxWorkers
  const max = Math.min(workers.max ?? DEFAULT_MAX_WORKERS, userMax ?? Number.POSITIVE_INFINITY)
  const min = Math.min(workers.min ?? 1, max)
  if (max <= 1) return null
  const totalBytes = usableMemoryBytes(os.totalmem(), process.constrainedMemory?.())
  const budget = workers.memoryBudget ?? '60%'
  const memoryBudgetBytes = typeof budget === 'number' ? budget : parseMemoryBudget(budget, totalBytes)!
  return new WorkerScaling({
    min,
    max,
    memoryBudgetBytes,
    reportDir: reportDir(vitest.config.root, options),
    root: vitest.config.root,
    log: say,
    // --bail and Ctrl-C: Vitest cancels the files it handed out, but those waiting at the gate have no
    // worker to hear it yet.
    onCancel: (listener) => vitest.onCancel(listener),
  })
}

/** Puts the project's files behind the adaptive gate, wrapping Vitest's own worker for its pool. */
function gateProject(project: TestProject, scaling: WorkerScaling, vitest: Vitest) {
  const config = project.config
  if (config.browser?.enabled || config.pool === 'typescript') return
  if (!isGateablePool(config.pool)) {
    vitest.logger.warn(
      ` qtests  project ${project.name || 'root'} uses the custom pool '${config.pool}': adaptive workers need forks, threads, vmForks or vmThreads, so it runs as configured (if Vitest then says projects have different 'maxWorkers', give this one its own sequence.groupOrder).`,
    )
    return
  }
  // A project's own cap (`maxWorkers` or `fileParallelism: false` in its config, not inherited from the
  // root) stays its own: one file at a time is left to Vitest; a higher cap bounds what Vitest hands out.
  const own = config.maxWorkers
  const ownCap = own !== undefined && own !== vitest.config.maxWorkers ? own : undefined
  if (ownCap !== undefined && ownCap <= 1) return
  const pool = adaptivePool(config.pool, scaling)
  config.pool = pool.name as never
  ;(config as { poolRunner?: unknown }).poolRunner = pool
  // Vitest hands out up to maxWorkers files at once; the gate decides how many of them run.
  config.maxWorkers = Math.min(ownCap ?? Number.POSITIVE_INFINITY, scaling.settings.max)
}
