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
