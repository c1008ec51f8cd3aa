/// <reference types="vitest/config" />
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Vite } from 'vitest/node'
import type { TestProject, Vitest } from 'vitest/node'
import { QtestsReporter } from '../report/reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../shared/protocol.js'
import { type QtestsOptions, type ResolvedOptions, resolveOptions } from './options.js'

const probesRunner = fileURLToPath(new URL('../worker/runner.js', import.meta.url))

const withReporter = new WeakSet<Vitest>()

/**
 * The qtests Vitest plugin: `plugins: [qtests()]`. Options are validated here, when the config is
 * loaded, so a bad value stops the run with one error naming the key, the value and what is allowed.
 */
export function qtests(options?: QtestsOptions): Vite.Plugin {
  const resolved = resolveOptions(options)
  return {
    name: 'qtests',
    configureVitest({ vitest, project }) {
      configureProject(project, resolved, vitest)
      if (!withReporter.has(vitest)) {
        withReporter.add(vitest)
        vitest.config.reporters.push(new QtestsReporter(resolved))
      }
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
