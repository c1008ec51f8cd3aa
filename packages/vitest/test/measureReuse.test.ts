import { cpSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runFixture } from './runFixture.js'
import { configWith, readReport, runVitestIn, tempProject } from './tempProject.js'

it('remembers a clean file with the .cjs files it requires, so a change in them measures it again', async () => {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'qtests-reuse-require-'))
  const run = await runFixture('reuse-require', { QTESTS_LEAKS: 'measure' }, { reportDir })
  expect(run.code, run.output).toBe(0)
  expect(run.report?.files[0]?.verdict).toBe('clean')
  const history = JSON.parse(readFileSync(path.join(reportDir, 'cache/measure.json'), 'utf8')) as {
    files: Record<string, { modules: string[] }>
  }
  // Paths relative to the Vitest root: the cache holds in a checkout at another path.
  const record = history.files['test/invoice.test.mjs']
  expect(record?.modules).toEqual(expect.arrayContaining(['lib/outer.cjs', 'lib/inner.cjs']))
}, 120_000)

it('saves its clean verdicts when one project of several runs and a repeat run confirms a leak', async () => {
  // Closing such a run unsets the root's Vite server; the cache used to fail to save ("The server was not set").
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'qtests-reuse-projects-'))
  const args = ['--project', 'billing']
  const first = await runFixture('reuse-projects', { QTESTS_LEAKS: 'measure' }, { reportDir, args })
  expect(first.code, first.output).toBe(0)
  expect(first.output).not.toContain('could not update')
  const verdicts = (run: typeof first) => new Map(run.report?.files.map((file) => [file.file, file]))
  expect(verdicts(first).get('test/grow.test.mjs')?.verdict, first.output).toBe('leak')
  expect(verdicts(first).get('test/invoice.test.mjs')?.verdict, first.output).toBe('clean')
  const again = await runFixture('reuse-projects', { QTESTS_LEAKS: 'measure' }, { reportDir, args, again: first })
  expect(again.code, again.output).toBe(0)
  expect(verdicts(again).get('test/invoice.test.mjs')?.reason, again.output).toMatch(/^not probed in this run/)
}, 180_000)

it('reuses its clean verdicts in a copy of the project at another path, as on a CI runner that builds in a per-job folder', async () => {
  const dir = tempProject({
    'vitest.config.mjs': configWith("{ workers: { adaptive: false }, leaks: { mode: 'measure' } }"),
    'test/sum.test.mjs': `import { expect, it } from 'vitest'
for (let i = 0; i < 6; i++) it('adds ' + i, () => { expect(i + 1).toBe(1 + i) })
`,
  })
  const report = (root: string) => readReport(root).files[0]
  const first = await runVitestIn(dir, ['run'])
  expect(first.code, first.stdout + first.stderr).toBe(0)
  expect(report(dir)?.verdict, first.stdout).toBe('clean')
  // Same depth, so the plugin's build (outside the project here) keeps its relative path, as node_modules does.
  const moved = `${dir}-moved`
  cpSync(dir, moved, { recursive: true, verbatimSymlinks: true })
  const second = await runVitestIn(moved, ['run'])
  expect(second.code, second.stdout + second.stderr).toBe(0)
  expect(report(moved), second.stdout).toMatchObject({ verdict: 'clean', reused: true })
}, 180_000)

it('remembers the .cjs files each file requires in a reused worker, the cache read on from file to file', async () => {
  const file = (lib: string, tests: number) => `import { createRequire } from 'node:module'
import { expect, it } from 'vitest'
const { total } = createRequire(import.meta.url)('../lib/${lib}')
for (let i = 1; i <= ${tests}; i++) it('totals ' + i, () => expect(total(i)).toBe(i * 2))
`
  const dir = tempProject({
    // One worker runs a.test.mjs, then b.test.mjs: a has too few tests to probe, so b is the worker's first probed
    // file, which always gets its samples; its end reads Node's require cache on from where a's end left it.
    'vitest.config.mjs': (plugin) => `import { defineConfig } from 'vitest/config'
import { BaseSequencer } from 'vitest/node'
import { qtests } from ${JSON.stringify(plugin)}
class ByName extends BaseSequencer {
  async sort(files) {
    return [...files].sort((x, y) => x.moduleId.localeCompare(y.moduleId))
  }
}
export default defineConfig({
  plugins: [qtests({ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: true } })],
  test: { isolate: false, maxWorkers: 1, sequence: { sequencer: ByName } },
})
`,
    'lib/first.cjs': 'exports.total = (n) => n * 2\n',
    'lib/second.cjs': 'exports.total = (n) => n + n\n',
    'test/a.test.mjs': file('first.cjs', 4),
    'test/b.test.mjs': file('second.cjs', 6),
  })
  const run = await runVitestIn(dir, ['run'])
  expect(run.code, run.stdout + run.stderr).toBe(0)
  const files = readReport(dir).files
  expect(
    files.map((f) => `${f.file}: ${f.verdict}`),
    JSON.stringify(files.map((f) => f.reason)),
  ).toEqual(['test/a.test.mjs: unknown', 'test/b.test.mjs: clean'])
  const history = JSON.parse(readFileSync(path.join(dir, '.qtests/cache/measure.json'), 'utf8')) as {
    files: Record<string, { modules: string[] }>
  }
  expect(history.files['test/b.test.mjs']?.modules).toContain('lib/second.cjs')
}, 120_000)
