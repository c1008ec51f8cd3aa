import os from 'node:os'
import type { TestProject, Vitest } from 'vitest/node'
import type { VerdictContext } from '../cache/cleanVerdicts.js'
import { majorOf } from '../shared/protocol.js'
import type { ResolvedOptions } from './options.js'
import { probesRunner } from './paths.js'

// What Vitest's config says that its public API does not: what the user wrote, as opposed to the defaults
// Vitest filled in, and the CLI options. Vitest 4.1 and 5 keep these in different places; this module is the
// one place that knows where (checked against the installed Vitest by test/vitestInternals.test.ts).

interface ConfigProvenance {
  /** kept on the resolved config by both majors, though 4.1's type leaves it out */
  fileParallelism?: boolean
  /** Vitest 5: which options the user gave (config file, CLI or environment) before defaults were applied */
  providedOptions?: { maxWorkers?: boolean }
  /** Vitest 5: the CLI options */
  cliOptions?: Record<string, unknown>
}

/** Whether the user turned file parallelism off (config or `--no-file-parallelism`). */
export function fileParallelismOff(vitest: Vitest): boolean {
  return (vitest.config as ConfigProvenance).fileParallelism === false
}

/**
 * The most files the user wants at once, or undefined when they left it to Vitest. `--maxWorkers`, the config's
 * `maxWorkers`, VITEST_MAX_WORKERS, and `fileParallelism: false` (one at a time) count; Vitest 5's default,
 * already resolved when plugins run, does not.
 */
export function userWorkerCap(vitest: Vitest): number | undefined {
  const config = vitest.config as Vitest['config'] & ConfigProvenance
  if (config.fileParallelism === false) return 1
  const userSet = config.providedOptions ? config.providedOptions.maxWorkers === true : config.maxWorkers != null
  return userSet ? config.maxWorkers : undefined
}

/**
 * A project's own cap, when its config sets one that differs from the root's: `fileParallelism: false`, or a
 * `maxWorkers` of its own. A project that sets the root's own value is read as inheriting it (the same cap).
 */
export function projectWorkerCap(project: TestProject, vitest: Vitest): number | undefined {
  const config = project.config as TestProject['config'] & ConfigProvenance
  if (config.fileParallelism === false && (vitest.config as ConfigProvenance).fileParallelism !== false) return 1
  const own = config.maxWorkers
  return own !== undefined && own !== vitest.config.maxWorkers ? own : undefined
}

/**
 * Whether the repeat run may run files beside the user's run: no globalSetup (a second one would start while the
 * user's still holds its ports or database), and no project the user limited to one file at a time (files that
 * must not run side by side).
 */
export function filesMayRunAlongside(vitest: Vitest): boolean {
  if (userWorkerCap(vitest) === 1) return false
  // a path or a list of them; an empty one names none
  const hasGlobalSetup = (config: { globalSetup?: string | string[] }) =>
    [config.globalSetup ?? []].flat().some(Boolean)
  if (hasGlobalSetup(vitest.config)) return false
  return vitest.projects.every((project) => !hasGlobalSetup(project.config) && projectWorkerCap(project, vitest) !== 1)
}

/** The options the user gave on the command line (Vitest 5: `config.cliOptions`; 4.1: `_cliOptions`). */
export function cliOptions(vitest: Vitest): Record<string, unknown> {
  const config = vitest.config as Vitest['config'] & ConfigProvenance
  return config.cliOptions ?? (vitest as unknown as { _cliOptions?: Record<string, unknown> })._cliOptions ?? {}
}

/** The number of workers plain Vitest runs when nobody set `maxWorkers`: cores − 1 (half the cores in watch mode). */
export function vitestDefaultWorkers(vitest: Vitest): number {
  const cap = userWorkerCap(vitest)
  if (cap !== undefined) return cap
  const cores = os.availableParallelism()
  return Math.max(1, vitest.config.watch ? Math.floor(cores / 2) : cores - 1)
}

/** The memory Vitest takes `vmMemoryLimit` shares of: 5 counts a container's limit, 4.1 the machine's memory. */
export function vmMemoryBase(vitest: Vitest): number {
  const total = majorOf(vitest.version) >= 5 ? process.constrainedMemory?.() || os.totalmem() : os.totalmem()
  return vitest.config.watch ? total / 2 : total
}

/** What a project's measure verdicts depend on besides the files they loaded (the clean-verdict cache's key). */
export function verdictContext(vitest: Vitest, options: ResolvedOptions, project: string): VerdictContext {
  const { minBytesPerTest, measureBudget } = options.leaks
  return {
    probesRunner,
    root: vitest.config.root,
    configFile: configFileOf(vitest),
    vitestVersion: vitest.version,
    minBytesPerTest,
    measureBudget,
    project,
  }
}

const configFiles = new WeakMap<Vitest, string | undefined>()

/**
 * The config file, read while Vitest's server is up: with `projects`, closing the run unsets the root's server
 * (its `vite` getter then throws), and the clean-verdict cache is saved after that.
 */
export function configFileOf(vitest: Vitest): string | undefined {
  if (!configFiles.has(vitest)) {
    let file: string | undefined
    try {
      file = vitest.vite.config.configFile
    } catch {
      return undefined
    }
    configFiles.set(vitest, file)
  }
  return configFiles.get(vitest)
}
