import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { vitestMajor } from '@qtests/test-utils'
import { describe, expect, it } from 'vitest'
import { runFixture } from './runFixture.js'

// Each internal of Vitest that the plugin reaches, through the plugin's adapter modules, in the installed Vitest
// (4.1, or 5 with QTESTS_VITEST=5). When a Vitest release moves one, the failing line names it.
describe(`Vitest ${vitestMajor()}'s internals the plugin relies on`, async () => {
  const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'qtests-internals-')), 'internals.json')
  const run = await runFixture('internals', { INTERNALS_OUT: out }, { args: ['--maxWorkers=2'] })
  const main = JSON.parse(readFileSync(out, 'utf8'))
  const worker = JSON.parse(readFileSync(`${out}.worker`, 'utf8'))

  it('runs the fixture', () => {
    expect(run.code, run.output).toBe(0)
    expect(main.version.split('.')[0]).toBe(vitestMajor())
  })

  it('config: the CLI options (vitest._cliOptions in 4.1, config.cliOptions in 5)', () => {
    expect(main.cliOptions.maxWorkers, 'cliOptions(vitest).maxWorkers').toBe(2)
  })

  it('config: what the user set (4.1: maxWorkers undefined unless set; 5: config.providedOptions.maxWorkers)', () => {
    expect(main.userWorkerCap, 'userWorkerCap(vitest)').toBe(2)
  })

  it("pool: Vitest's fork and thread workers keep their process in `_fork` and their thread in `_thread`", () => {
    expect(main.forkField, "'_fork' in new ForksPoolWorker(options)").toBe(true)
    expect(main.threadField, "'_thread' in new ThreadsPoolWorker(options)").toBe(true)
  })

  it('pool: vitest.state.cancelFiles reports files skipped', () => {
    expect(main.cancelFiles, 'typeof vitest.state.cancelFiles').toBe(true)
  })

  it("runner: the module runner's maps (evaluatedModules.fileToModulesMap, idToModuleMap, getModuleSourceMapById)", () => {
    expect(worker.loadedModuleFiles, 'moduleRunner.evaluatedModules.fileToModulesMap').toBe(1)
    expect(worker.evaluatedModules, 'moduleRunner.evaluatedModules.idToModuleMap').toBe(true)
    expect(worker.sourceMap, 'moduleRunner.evaluatedModules.getModuleSourceMapById(file).map').toBe(true)
  })

  it("runner: each evaluated module's imports (EvaluatedModuleNode.imports), walked from the test file", () => {
    expect(worker.importedModuleFiles, 'importedModuleFiles(runner, [test file])').toEqual(
      expect.arrayContaining(['imported.ts', 'internals.test.ts']),
    )
  })

  it('runner: the task-update sender on the runner instance (runner.onTaskUpdate)', () => {
    expect(worker.taskUpdatesWrapped, 'typeof runner.onTaskUpdate').toBe(true)
    expect(worker.taskUpdatesSeen, 'runner.onTaskUpdate called during the file').toBe(true)
  })

  it.runIf(vitestMajor() === '4')(
    "runner: 4.1's per-run abort listener is added to the test's signal as its function starts (forgetRunListener)",
    () => {
      expect(
        worker.runListenerCaught,
        'forgetRunListener(test.context.signal)() around TestRunner.getTestFn(test)()',
      ).toBe(true)
    },
  )

  it('runner: suite hooks (TestRunner.getSuiteHooks)', () => {
    expect(worker.hookLevels, 'hookLevels(test) with one beforeEach').toBe(1)
  })

  it(
    vitestMajor() === '4'
      ? "mocks: 4.1's registry of every mock (REGISTERED_MOCKS, walked by clearAllMocks with forEach)"
      : "mocks: 5's spy restorers (walked by restoreAllMocks with for…of)",
    () => {
      const holder = vitestMajor() === '4' ? 'vitest-mocks' : 'vitest-spies'
      const registry = worker.registries.find((found: { holder: string }) => found.holder === holder)
      expect(registry, `vitestMockRegistries(vi) finds ${holder}`).toBeDefined()
      // the file made a mock and a spy (4.1 keeps both; 5 keeps the spy's restorer)
      expect(registry.added).toBe(vitestMajor() === '4' ? 2 : 1)
    },
  )
})
