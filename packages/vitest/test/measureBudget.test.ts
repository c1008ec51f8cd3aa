import { expect, it } from 'vitest'
import { configWith, readReport, runVitestIn, tempProject } from './tempProject.js'

// The cheap samples' share is of the worker's busy time: a worker that mostly waits (here on timers; on a real
// suite, on the main process transforming what it imports) would otherwise spend its whole share on probes
// while it does little. By elapsed time nearly all of these files fit (240 ms each against ~2 ms of young GCs: 4 of
// 16 waited, for the full GCs of an early file whose cheap readings rose); by busy time 13–15 wait, on a loaded
// machine too (two other processes spinning on the two CPUs).
it('counts the cheap samples against a reused worker’s busy time, so files that mostly wait are left to a later run', async () => {
  const files: Record<string, string | ((plugin: string) => string)> = {
    'vitest.config.mjs': configWith(
      "{ workers: { adaptive: false }, leaks: { mode: 'measure', reuseClean: false } }",
      '{ isolate: false, maxWorkers: 1 }',
    ),
  }
  for (let i = 1; i <= 16; i++)
    files[`test/wait-${String(i).padStart(2, '0')}.test.mjs`] = `import { it } from 'vitest'
for (let i = 0; i < 6; i++) it('waits ' + i, () => new Promise((resolve) => setTimeout(resolve, 40)))
`
  const dir = tempProject(files)
  const run = await runVitestIn(dir, ['run'])
  expect(run.code, run.stdout + run.stderr).toBe(0)
  const report = readReport(dir)
  const verdicts = report.files.map((file) => `${file.file}: ${file.verdict} (${file.reason})`)
  // A worker's first file always gets its samples: they also measure what a young GC costs there.
  expect(report.files.filter((file) => file.verdict === 'clean').length, verdicts.join('\n')).toBeGreaterThan(0)
  const left = report.files.filter((file) => /share \(3%\) of its busy time; a later run measures it/.test(file.reason))
  expect(left.length, verdicts.join('\n')).toBeGreaterThanOrEqual(10)
  expect(left.every((file) => file.verdict === 'unknown' && file.overBudget)).toBe(true)
  // said once in the terminal, with the reason, not only counted among the unmeasured
  expect(run.stdout).toContain(
    `${left.length} files not probed in this run: their worker's probes had taken their share (3%) of its busy time; a later run measures them`,
  )
}, 180_000)
