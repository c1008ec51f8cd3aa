/// <reference types="vitest/config" />
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Vite } from 'vitest/node'
import type { TestProject, Vitest } from 'vitest/node'
import { version as vitestVersion } from 'vitest/node'
import { adaptivePool, isGateablePool } from '../pool/adaptivePool.js'
import { WorkerScaling } from '../pool/workerScaling.js'
import { cleanHistoryPath, loadCleanHistory, reusableCleanFiles, verdictSettings } from '../cache/cleanVerdicts.js'
import { RepeatRunCollector } from '../repeatRun/collector.js'
import { REPEAT_JOB_KEY, REPEAT_RUN_ENV, type RepeatJob } from '../shared/repeatRun.js'
import { CONFIRM_MAX_MS, maxRuns } from '../repeatRun/plan.js'
import { QtestsReporter } from '../report/reporter.js'
import { majorOf, WORKER_CONFIG_KEY, type WorkerConfig } from '../shared/protocol.js'
import { screenBarBytesPerTest } from '../shared/measureRules.js'
import {
  parseMemoryBudget,
  type QtestsOptions,
  type ResolvedOptions,
  resolveOptions,
  totalMemoryBytes,
} from './options.js'
import { checkReportDir, ownFiles, probesRunner, reportDir } from './paths.js'
import {
  cliOptions,
  fileParallelismOff,
  filesMayRunAlongside,
  projectWorkerCap,
  userWorkerCap,
  configFileOf,
  verdictContext,
  vitestDefaultWorkers,
} from './vitestConfig.js'

/**
 * One worker scaling and one reporter per Vitest instance, however many copies of this module run: a
 * config that imports the plugin by a relative path is bundled, and Vitest evaluates it again for each
 * project that `extends` it — each copy would otherwise add its own reporter and gate.
 */
const SCALING_KEY = Symbol.for('@qtests/vitest scaling by Vitest instance')
const CONFIGURED_KEY = Symbol.for('@qtests/vitest configured projects')
const shared = globalThis as Record<symbol, WeakMap<Vitest, WorkerScaling | null> | WeakSet<object> | undefined>
shared[SCALING_KEY] ??= new WeakMap()
shared[CONFIGURED_KEY] ??= new WeakSet()
const scalingByVitest = shared[SCALING_KEY] as WeakMap<Vitest, WorkerScaling | null>
/** By their resolved config: the project a hook is given and its entry in `vitest.projects` may be two objects. */
const configuredProjects = shared[CONFIGURED_KEY] as WeakSet<object>

/**
 * The qtests Vitest plugin: `plugins: [qtests()]`. Options are validated here, when the config is
 * loaded, so a bad value stops the run with one error naming the key, the value and what is allowed.
 */
export function qtests(options?: QtestsOptions): Vite.Plugin {
  const resolved = resolveOptions(options)
  const repeatJob = repeatRunJob()
  const plugin: Vite.Plugin = {
    name: 'qtests',
    // Before other plugins: inline projects share the root's Vite server, and its deps settings are ours too.
    enforce: 'pre',
    config: {
      order: 'pre',
      handler(config) {
        // Inline projects that do not `extends` the root config do not get its plugins: this one joins them, or
        // their files would run unmeasured without a word. Vitest 5's extend it unless `extends: false` (and it
        // warns of a plugin listed twice).
        for (const entry of (config as { test?: { projects?: unknown[] } }).test?.projects ?? []) {
          if (!entry || typeof entry !== 'object') continue
          const extend = (entry as { extends?: unknown }).extends
          if (extend || (extend === undefined && inlineProjectsExtend)) continue
          const inline = entry as { plugins?: unknown[] }
          if (!inline.plugins?.some((item) => (item as { name?: string } | null)?.name === 'qtests'))
            inline.plugins = [...(inline.plugins ?? []), plugin]
        }
        return { test: { server: { deps: { external: [ownFiles] } } } }
      },
    },
    configureVitest({ vitest, project }) {
      // Every project of the run, also one whose own config left the plugin out (a projects file of its own).
      const projects: TestProject[] = []
      for (const each of [project, ...vitest.projects]) {
        if (configuredProjects.has(each.config)) continue
        configuredProjects.add(each.config)
        projects.push(each)
      }
      if (repeatJob) {
        for (const each of projects) configureRepeatRun(vitest, each, resolved, repeatJob)
        return
      }
      if (!scalingByVitest.has(vitest)) {
        checkReportDir(reportDir(vitest.config.root, resolved), resolved.report.dirFrom)
        // Read now, while the server is up: the clean-verdict cache is keyed by it at the end of the run too.
        configFileOf(vitest)
        const scaling = createWorkerScaling(vitest, resolved)
        scalingByVitest.set(vitest, scaling)
        vitest.config.reporters.push(
          new QtestsReporter(resolved, {
            scaling: scaling ?? undefined,
            reportDir: (root) => reportDir(root, resolved),
            defaultWorkers: vitestDefaultWorkers,
            cliOptions,
            verdictContext: (vitest, project) => verdictContext(vitest, resolved, project),
            // Adaptive workers fill the cores and hold the run to its memory budget: confirmation waits for the run's end.
            confirmDuringRun: (vitest) => !scaling && filesMayRunAlongside(vitest),
          }),
        )
      }
      const scaling = scalingByVitest.get(vitest)
      for (const each of projects) {
        configureProject(each, resolved, vitest)
        if (scaling) gateProject(each, scaling, vitest, resolved.workers.max)
      }
    },
  }
  return plugin
}

/** Vitest 5's inline projects extend the config that declares them unless `extends: false`; Vitest 4's do not. */
const inlineProjectsExtend = majorOf(vitestVersion) >= 5

/** The job this process was started for, when it is a repeat run (see repeatRun/child.ts). */
function repeatRunJob(): RepeatJob | undefined {
  if (!process.env[REPEAT_RUN_ENV]) return undefined
  return (globalThis as Record<symbol, RepeatJob | undefined>)[REPEAT_JOB_KEY]
}

function workerConfig(options: ResolvedOptions, mode: WorkerConfig['mode'], vitestMajor: number): WorkerConfig {
  return {
    mode,
    iterations: options.leaks.iterations,
    maxRuns: maxRuns(options.leaks.iterations),
    confirmMaxMs: CONFIRM_MAX_MS,
    minBytesPerIteration: options.leaks.minBytesPerIteration,
    allocationSampleBytes: options.leaks.allocationSites ? 8192 : 0,
    measureBudget: options.leaks.measureBudget,
    measureSuspicionBytesPerTest: screenBarBytesPerTest(options.leaks.minBytesPerTest),
    vitestMajor,
  }
}

/**
 * The repeat run (a child process the user's run started): every file it is given runs under the probes in
 * hunt mode, and nothing reaches the user — no reporter but the collector, no snapshot written, no output.
 */
function configureRepeatRun(vitest: Vitest, project: TestProject, options: ResolvedOptions, job: RepeatJob) {
  if (!scalingByVitest.has(vitest)) {
    const scaling = createWorkerScaling(vitest, options, { keepHistory: false })
    scalingByVitest.set(vitest, scaling)
    vitest.config.reporters.splice(0, vitest.config.reporters.length, new RepeatRunCollector())
  }
  const worker = workerConfig(options, 'hunt', majorOf(vitest.version))
  worker.iterations = job.iterations
  worker.maxRuns = job.maxRuns
  worker.confirmMaxMs = job.confirmMaxMs
  worker.stopFileAtFirstLeak = job.stopAtFirstLeak
  if (job.confirmFloorBytes !== undefined) worker.minBytesPerIteration = job.confirmFloorBytes
  if (job.quickClearBytes !== undefined) worker.quickClearBytes = job.quickClearBytes
  if (project.config.browser?.enabled) worker.mode = 'off'
  project.provide(WORKER_CONFIG_KEY, worker)
  const config = project.config as typeof project.config & { disableConsoleIntercept?: boolean }
  // New snapshots fail instead of being written; nothing is updated or removed.
  config.snapshotOptions = { ...config.snapshotOptions, updateSnapshot: 'none' }
  // Each run's output would be kept until the test ends (see silenceConsole): nobody reads it here.
  config.disableConsoleIntercept = true
  if (worker.mode !== 'off') config.runner = config.runner ? wrapUserRunner(config.runner) : probesRunner
  const scaling = scalingByVitest.get(vitest)
  if (scaling) gateProject(project, scaling, vitest, options.workers.max)
  else if (userWorkerCap(vitest) === undefined && projectWorkerCap(project, vitest) === undefined) {
    // Vitest's default leaves a core to its main process; the user's run is over and both main processes
    // wait, so the repeat run takes every core (a cap the user set holds).
    project.config.maxWorkers = os.availableParallelism()
  }
}

function configureProject(project: TestProject, options: ResolvedOptions, vitest: Vitest) {
  // hunt: the user's own run is only watched (event-loop stalls, GC time); the tests are repeated afterwards, in
  // the repeat run, whose repeats would make those numbers the repeats'.
  const worker = workerConfig(
    options,
    options.leaks.mode === 'hunt' ? 'watch' : options.leaks.mode,
    majorOf(vitest.version),
  )
  if (project.config.browser?.enabled) {
    vitest.logger.warn(
      ` qtests  browser mode is not measured (project ${project.name || 'root'}): its tests run in a browser, outside Node's heap.`,
    )
    worker.mode = 'off'
  }
  // Watch mode decides once and reruns changed files: it probes every file.
  if (worker.mode === 'measure' && !vitest.config.watch && options.leaks.reuseClean)
    worker.reuseCleanFiles = reusableCleanFiles(
      loadCleanHistory(cleanHistoryPath(reportDir(vitest.config.root, options)), vitest.config.root),
      verdictSettings(verdictContext(vitest, options, project.name)),
      vitest.config.root,
    )
  project.provide(WORKER_CONFIG_KEY, worker)
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

function createWorkerScaling(
  vitest: Vitest,
  options: ResolvedOptions,
  { keepHistory = true } = {},
): WorkerScaling | null {
  const { workers } = options
  const say = (message: string) => vitest.logger.warn(` qtests  ${message}`)
  // Off, sampling.* still sets the rate of the main process's monitor (the report's mainProcess).
  if (!workers.adaptive) return null
  // An explicit --maxWorkers (or fileParallelism: false, which makes it 1) is the user's ceiling; Vitest's
  // own default (cores − 1, already filled in by Vitest 5) is not.
  const userMax = userWorkerCap(vitest)
  const max = Math.min(workers.max ?? DEFAULT_MAX_WORKERS, userMax ?? Number.POSITIVE_INFINITY)
  const min = Math.min(workers.min ?? 1, max)
  if (max <= 1) {
    // Never silently off: the user asked for adaptive workers and gets one file at a time.
    const why =
      userMax === 1 ? (fileParallelismOff(vitest) ? 'fileParallelism is false' : 'maxWorkers is 1') : 'workers.max is 1'
    say(
      `adaptive workers are off: ${why}, so files run one at a time (raise it, or set workers.adaptive: false to silence this)`,
    )
    return null
  }
  const budget = workers.memoryBudget ?? '60%'
  const memoryBudgetBytes = typeof budget === 'number' ? budget : parseMemoryBudget(budget, totalMemoryBytes())!
  return new WorkerScaling({
    min,
    max,
    memoryBudgetBytes,
    sampling: options.sampling,
    reportDir: reportDir(vitest.config.root, options),
    root: vitest.config.root,
    keepHistory,
    log: say,
    // --bail and Ctrl-C: Vitest cancels the files it handed out, but those waiting at the gate have no
    // worker to hear it yet.
    onCancel: (listener) => vitest.onCancel(listener),
  })
}

/** Puts the project's files behind the adaptive gate, wrapping Vitest's own worker for its pool. */
function gateProject(project: TestProject, scaling: WorkerScaling, vitest: Vitest, askedMax: number | undefined) {
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
  const ownCap = projectWorkerCap(project, vitest)
  if (ownCap !== undefined && ownCap <= 1) return
  // Reused workers keep their module graph: each extra one loads it again (vm pools give every file its own).
  const keepsModules = config.isolate === false && (config.pool === 'forks' || config.pool === 'threads')
  if (keepsModules && scaling.workersKeepModules() && askedMax !== undefined && scaling.ceiling < askedMax) {
    vitest.logger.warn(
      ` qtests  project ${project.name || 'root'} reuses its workers (isolate: false): at most ${scaling.ceiling} files run at once (Vitest's default: the CPUs less one), not workers.max ${askedMax}, because each extra worker loads the modules again.`,
    )
  }
  const pool = adaptivePool(config.pool, scaling)
  config.pool = pool.name
  ;(config as { poolRunner?: unknown }).poolRunner = pool
  // Vitest hands out up to maxWorkers files at once; the gate decides how many of them run. Vitest starts a
  // worker per file handed out, so reused workers get no more files than may ever run: each would load the
  // module graph again while it waits.
  config.maxWorkers = Math.min(
    ownCap ?? Number.POSITIVE_INFINITY,
    keepsModules ? scaling.ceiling : scaling.settings.max,
  )
}
