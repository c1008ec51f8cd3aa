import { expect, it } from 'vitest'
import { configWith, leakingFile, readReport, runVitestIn, tempProject } from './tempProject.js'

// The same leak in twelve files must get the same verdict in each: measure mode's cheap samples rise at
// different moments in different files (a GC may or may not have promoted the growth yet), so the screen
// alone called 30 such files 24 leaks and 6 suspects. Confirmation in the repeat run settles each one.
it('calls every one of twelve identical leaking files a leak, and names the test', async () => {
  const files: Record<string, string | ((plugin: string) => string)> = {
    'vitest.config.mjs': configWith('{ workers: { adaptive: false } }'),
  }
  for (let i = 1; i <= 12; i++) files[`test/leak-${String(i).padStart(2, '0')}.test.mjs`] = leakingFile
  const dir = tempProject(files)
  const run = await runVitestIn(dir, ['run'], {}, 300_000)
  expect(run.code, run.stdout + run.stderr).toBe(0)
  const report = readReport(dir)
  expect(report.files.map((file) => `${file.file}: ${file.verdict}`)).toEqual(
    report.files.map((file) => `${file.file}: leak`),
  )
  for (const file of report.files)
    expect(file.tests.some((test) => test.verdict === 'leak' && test.name.startsWith('keeps'))).toBe(true)
}, 320_000)
