import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runFixture } from './runFixture.js'

it('remembers a clean file with the .cjs files it requires, so a change in them measures it again', async () => {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'qtests-reuse-require-'))
  const run = await runFixture('reuse-require', { QTESTS_LEAKS: 'measure' }, { reportDir })
  expect(run.code, run.output).toBe(0)
  expect(run.report?.files[0]?.verdict).toBe('clean')
  const history = JSON.parse(readFileSync(path.join(reportDir, 'cache/measure.json'), 'utf8')) as {
    files: Record<string, { modules: string[] }>
  }
  const record = history.files[path.join(run.cwd, 'test/invoice.test.mjs')]
  expect(record?.modules).toEqual(
    expect.arrayContaining([path.join(run.cwd, 'lib/outer.cjs'), path.join(run.cwd, 'lib/inner.cjs')]),
  )
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
