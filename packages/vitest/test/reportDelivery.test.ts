import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'
import { leakingFile, passingFile, pluginUrl, runVitestIn, tempProject } from './tempProject.js'

// Where the plugin's findings reach the user: a document on stdout stays a document, a bad report directory
// stops the run at once, failOn always speaks, every project is measured.

const config = (options: string, test = '{}') => `import { defineConfig } from 'vitest/config'
import { qtests } from ${JSON.stringify(pluginUrl)}
export default defineConfig({ plugins: [qtests(${options})], test: ${test} })
`

describe('a document reporter on stdout', () => {
  it('stays parseable JSON: the plugin prints on stderr instead', async () => {
    const dir = tempProject({ 'vitest.config.mjs': config('{ workers: { adaptive: false } }'), 'test/a.test.mjs': passingFile })
    const run = await runVitestIn(dir, ['run', '--reporter=json'])
    expect(run.code, run.stderr).toBe(0)
    const results = JSON.parse(run.stdout) as { numPassedTests: number }
    expect(results.numPassedTests).toBe(6)
    expect(run.stderr).toMatch(/qtests {2}no leaks found/)
  })
})

describe('a report directory that cannot be written', () => {
  it('stops the run when it starts, with one error naming the directory and why', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config("{ leaks: { failOn: 'leak' }, report: { dir: 'taken/reports' } }"),
      'taken': 'a file, not a directory',
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
    const dir = tempProject({ 'vitest.config.mjs': config('{}'), 'blocked': '', 'test/a.test.mjs': passingFile })
    const run = await runVitestIn(dir, ['run'], { QTESTS_REPORT_DIR: path.join(dir, 'blocked') })
    expect(run.code).not.toBe(0)
    expect(run.stdout + run.stderr).toMatch(/option QTESTS_REPORT_DIR \(environment\) is ".*blocked", which cannot be written/)
  })
})

describe('failOn', () => {
  it('fails the run on a confirmed leak even though every test passed', async () => {
    const dir = tempProject({ 'vitest.config.mjs': config("{ leaks: { failOn: 'leak' }, workers: { adaptive: false } }"), 'test/a.test.mjs': leakingFile })
    const run = await runVitestIn(dir, ['run'])
    expect(run.stdout).toMatch(/Tests\s+6 passed/)
    expect(run.code, run.stdout + run.stderr).toBe(1)
    expect(run.stderr).toMatch(/1 file\(s\) leak; failing the run \(leaks\.failOn: 'leak'\)/)
  }, 180_000)
})

describe('projects', () => {
  it('measures inline projects that do not extend the root config', async () => {
    const dir = tempProject({
      'vitest.config.mjs': config(
        '{ workers: { adaptive: false } }',
        "{ projects: [{ test: { name: 'one', include: ['one/*.test.mjs'] } }, { test: { name: 'two', include: ['two/*.test.mjs'] } }] }",
      ),
      'one/a.test.mjs': passingFile,
      'two/b.test.mjs': passingFile,
    })
    const run = await runVitestIn(dir, ['run'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = JSON.parse(readFileSync(path.join(dir, '.qtests/report.json'), 'utf8')) as QtestsReport
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
    const { spawn } = await import('node:child_process')
    const child = spawn(process.execPath, [path.join(dir, 'node_modules/vitest/vitest.mjs'), 'watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } })
    let output = ''
    const waitFor = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report ${count} in time:\n${output}`)), 60_000)
        const check = () => {
          if ((output.match(/qtests {2}no leaks found/g)?.length ?? 0) >= count) {
            clearTimeout(timer)
            resolve()
          }
        }
        child.stdout.on('data', (chunk) => {
          output += chunk
          check()
        })
        check()
      })
    try {
      await waitFor(1)
      writeFileSync(path.join(dir, 'test/b.test.mjs'), `${passingFile}// edited\n`)
      await waitFor(2)
      const report = JSON.parse(readFileSync(path.join(dir, '.qtests/report.json'), 'utf8')) as QtestsReport
      expect(report.files.map((file) => [file.file, file.earlierRun ?? false])).toEqual([
        ['test/a.test.mjs', true],
        ['test/b.test.mjs', false],
      ])
    } finally {
      child.kill('SIGTERM')
    }
  }, 120_000)
})
