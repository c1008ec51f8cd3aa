import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type VitestRun, runVitest } from '../src/harness.js'
import { type QtestsReport, reportProblems } from '../src/report.js'

const dir = inject('examples')['service-toolkit']
const files = ['test/service.test.ts', 'test/soak/cache.soak.test.ts', 'test/soak/pool.soak.test.ts']
const soakFiles = files.slice(1)

// The data tier of @qtests/core, installed from its packed tarball (with PGlite from the registry), in a
// service whose suite runs under the plugin: the soak files must come out clean in hunt mode.
describe.each(['hunt', 'measure'] as const)('service-toolkit in %s mode, from the packed tarballs', (mode) => {
  let run: VitestRun
  let report: QtestsReport

  beforeAll(async () => {
    run = await runVitest(dir, { QTESTS_LEAKS: mode })
    report = run.report as QtestsReport
  })

  it('passes all 10 tests and writes a report.json that follows the contract', () => {
    expect(run.stdout, run.stderr).toMatch(/Tests\s+10 passed \(10\)/)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(reportProblems(run.report, mode)).toEqual([])
    expect(report.files.map((file) => file.file).sort()).toEqual([...files].sort())
  })

  it(
    mode === 'hunt' ? 'finds nothing leaking or suspect in any test, the soak files included' : 'calls no file a leak',
    () => {
      const verdicts = report.files.flatMap((file) =>
        mode === 'hunt'
          ? file.tests.map((test) => ({
              where: `${file.file} > ${test.name}`,
              verdict: test.verdict,
              bytesPerIteration: test.bytesPerIteration,
            }))
          : [{ where: file.file, verdict: file.verdict, bytesPerIteration: file.growthBytesPerTest }],
      )
      const flagged = verdicts.filter((v) => v.verdict === 'leak' || (mode === 'hunt' && v.verdict === 'suspect'))
      expect(flagged, JSON.stringify(verdicts, null, 2)).toEqual([])
      if (mode === 'hunt') {
        const soak = verdicts.filter((v) => soakFiles.some((file) => v.where.startsWith(file)))
        expect(soak.map((v) => v.verdict)).toEqual(['clean', 'clean'])
      }
    },
  )
})
