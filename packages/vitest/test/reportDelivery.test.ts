import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { vitestMajor } from '@qtests/test-utils'
import { describe, expect, it } from 'vitest'
import { NOT_RUN } from '../src/report/verdicts.js'
import {
  configWith,
  leakingFile,
  passingFile,
  readReport,
  runVitestIn,
  startVitestIn,
  tempProject,
} from './tempProject.js'

// Where the plugin's findings reach the user: a document on stdout stays a document, a bad report directory
// stops the run at once, failOn always speaks, every project is measured.

const config = configWith

describe('a document reporter on stdout', () => {
  it.runIf(vitestMajor() === '4')('stays parseable JSON: the plugin prints on stderr instead', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config('{ workers: { adaptive: false } }'),
      'test/a.test.mjs': passingFile,
    })
    const run = await runVitestIn(dir, ['run', '--reporter=json'])
    expect(run.code, run.stderr).toBe(0)
    const results = JSON.parse(run.stdout) as { numPassedTests: number }
    expect(results.numPassedTests).toBe(6)
    expect(run.stderr).toMatch(/qtests {2}no leaks found/)
  })

  it('stays TAP alone: the plugin prints on stderr instead', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config('{ workers: { adaptive: false } }'),
      'test/a.test.mjs': passingFile,
    })
    const run = await runVitestIn(dir, ['run', '--reporter=tap-flat'])
    expect(run.code, run.stderr).toBe(0)
    expect(
      run.stdout
        .split('\n')
        .filter((line) => line.trim() !== '' && !/^(TAP version|\d+\.\.\d+|ok \d+|not ok \d+|#)/.test(line)),
    ).toEqual([])
    expect(run.stderr).toMatch(/qtests {2}no leaks found/)
  })
})

describe('a report directory that cannot be written', () => {
  it('stops the run when it starts, with one error naming the directory and why', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config("{ leaks: { failOn: 'leak' }, report: { dir: 'taken/reports' } }"),
      taken: 'a file, not a directory',
      'test/a.test.mjs': leakingFile,
    })
    const run = await runVitestIn(dir, ['run'])
    const output = run.stdout + run.stderr
    expect(run.code).not.toBe(0)
    expect(output).toContain('qtests: option report.dir is ')
    expect(output).toMatch(/taken\/reports", which cannot be written \(ENOTDIR: a file is in the way\)/)
    // No test ran: the error came first.
    expect(output).not.toMatch(/Tests\s+\d+ passed/)
  })

  it('names QTESTS_REPORT_DIR when the directory came from it', async () => {
    const dir = tempProject({ 'vitest.config.mjs': config('{}'), blocked: '', 'test/a.test.mjs': passingFile })
    const run = await runVitestIn(dir, ['run'], { QTESTS_REPORT_DIR: path.join(dir, 'blocked') })
    expect(run.code).not.toBe(0)
    expect(run.stdout + run.stderr).toMatch(
      /option QTESTS_REPORT_DIR \(environment\) is ".*blocked", which cannot be written/,
    )
  })
})

describe('failOn', () => {
  it('fails the run on a confirmed leak even though every test passed', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config("{ leaks: { failOn: 'leak' }, workers: { adaptive: false } }"),
      'test/a.test.mjs': leakingFile,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.stdout).toMatch(/Tests\s+6 passed/)
    expect(run.code, run.stdout + run.stderr).toBe(1)
    expect(run.stderr).toMatch(/1 file\(s\) leak; failing the run \(leaks\.failOn: 'leak'\)/)
  }, 180_000)

  // The plugin's own machinery failing (here: a test that overwrites the plugin's task meta with what it cannot
  // read) never fails a run — unless failOn is set: then a run it could not check does not pass.
  const corruptingFile = `import { test } from 'vitest'
test('overwrites the plugin meta', ({ task }) => { task.meta.qtests = { allocationSites: 1 } })
`
  it('fails the run when the verdicts could not be decided, and only then', async () => {
    const files = { 'test/a.test.mjs': corruptingFile }
    const checked = tempProject({
      ...files,
      'vitest.config.mjs': config("{ leaks: { failOn: 'leak' }, workers: { adaptive: false } }"),
    })
    const run = await runVitestIn(checked, ['run'])
    expect(run.stdout).toMatch(/Tests\s+1 passed/)
    expect(run.stderr).toMatch(/qtests {2}could not build the leak report/)
    expect(run.stderr).toMatch(
      /the verdicts could not be decided \(above\); failing the run rather than passing it unchecked \(leaks\.failOn: 'leak'\)/,
    )
    expect(run.code, run.stdout + run.stderr).toBe(1)
    const unchecked = tempProject({ ...files, 'vitest.config.mjs': config('{ workers: { adaptive: false } }') })
    const plain = await runVitestIn(unchecked, ['run'])
    expect(plain.stderr).toMatch(/qtests {2}could not build the leak report/)
    expect(plain.code, plain.stdout + plain.stderr).toBe(0)
  }, 180_000)
})

describe('reasons', () => {
  it('says a file --bail cancelled did not run, not that it had too few tests to judge', async () => {
    const failingFile = `import { expect, it } from 'vitest'
it('fails', () => expect(1).toBe(2))
`
    const dir = tempProject({
      // One file at a time, in name order: the failing one first.
      'vitest.config.mjs': config(
        '{ workers: { adaptive: false } }',
        "{ fileParallelism: false, sequence: { sequencer: class extends (await import('vitest/node')).BaseSequencer { async sort(files) { return [...files].sort((x, y) => x.moduleId.localeCompare(y.moduleId)) } } } }",
      ),
      'test/a.test.mjs': failingFile,
      'test/b.test.mjs': passingFile,
      'test/c.test.mjs': passingFile,
    })
    const run = await runVitestIn(dir, ['run', '--bail=1'])
    expect(run.code, run.stdout + run.stderr).toBe(1)
    const report = readReport(dir)
    const cancelled = report.files.filter((file) => file.file !== 'test/a.test.mjs')
    expect(cancelled.length, JSON.stringify(report.files)).toBeGreaterThan(0)
    for (const file of cancelled) {
      expect(file.verdict).toBe('unknown')
      // Vitest ends a run --bail cancelled as interrupted; either way, what happened.
      expect(file.reason).toMatch(
        /^(the run was interrupted before this file finished|not run: its tests were skipped, or the run was cancelled before it \(--bail, Ctrl-C\))$/,
      )
    }
    expect(report.files.find((file) => file.file === 'test/a.test.mjs')?.reason).not.toMatch(/run with hunt/)
  })

  it('says a file whose test --bail cancelled under way did not run (Vitest marks that test skipped)', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config('{ workers: { adaptive: false } }', '{ maxWorkers: 2 }'),
      'test/a.test.mjs': `import { expect, it } from 'vitest'
it('fails', async () => { await new Promise((resolve) => setTimeout(resolve, 500)); expect(1).toBe(2) })
`,
      // Under way when a.test.mjs fails, in the other worker.
      'test/b.test.mjs': `import { expect, it } from 'vitest'
it('slow', async () => { await new Promise((resolve) => setTimeout(resolve, 4000)); expect(1).toBe(1) })
it('after', () => expect(1).toBe(1))
`,
    })
    const run = await runVitestIn(dir, ['run', '--bail=1'])
    expect(run.code, run.stdout + run.stderr).toBe(1)
    const b = readReport(dir).files.find((file) => file.file === 'test/b.test.mjs')
    expect(b?.verdict).toBe('unknown')
    expect(b?.reason).toBe('not run: its tests were skipped, or the run was cancelled before it (--bail, Ctrl-C)')
    expect(b?.tests.map((test) => test.reason)).toEqual([NOT_RUN, NOT_RUN])
  })
})

describe('projects', () => {
  // Vitest 4's inline projects inherit nothing by default, Vitest 5's inherit the root config (and its plugins)
  // unless `extends: false`; the plugin joins those that would not have it, and only those: Vitest 5 warns of a
  // plugin listed twice.
  it('measures inline projects, inheriting the root config or not, with the plugin listed once', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config(
        '{ workers: { adaptive: false } }',
        "{ projects: [{ test: { name: 'one', include: ['one/*.test.mjs'] } }, { extends: false, test: { name: 'two', include: ['two/*.test.mjs'] } }] }",
      ),
      'one/a.test.mjs': passingFile,
      'two/b.test.mjs': passingFile,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout + run.stderr).not.toMatch(/applies the same plugin multiple times/)
    const report = readReport(dir)
    expect(report.files.map((file) => [file.project, file.file, file.verdict])).toEqual([
      ['one', 'one/a.test.mjs', 'clean'],
      ['two', 'two/b.test.mjs', 'clean'],
    ])
  })
})

describe('watch mode', () => {
  it('keeps every file in the report when a rerun covers only one', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config('{ workers: { adaptive: false } }'),
      'test/a.test.mjs': passingFile,
      'test/b.test.mjs': passingFile,
    })
    const vitest = await startVitestIn(dir, ['watch'])
    const waitFor = async (count: number) => {
      for (const started = Date.now(); (vitest.stdout().match(/qtests {2}no leaks found/g)?.length ?? 0) < count; ) {
        if (Date.now() - started > 60_000)
          throw new Error(`no report ${count} in time:\n${vitest.stdout()}${vitest.stderr()}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    try {
      await waitFor(1)
      writeFileSync(path.join(dir, 'test/b.test.mjs'), `${passingFile}// edited\n`)
      await waitFor(2)
      const report = readReport(dir)
      expect(report.files.map((file) => [file.file, file.earlierRun ?? false])).toEqual([
        ['test/a.test.mjs', true],
        ['test/b.test.mjs', false],
      ])
    } finally {
      await vitest.stop()
    }
  }, 120_000)
})
