import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { runVitest } from '../src/harness.js'

const dir = inject('examples')['load-service']
const tempRoot = inject('tempRoot')

/** What this suite reads of Vitest's JSON reporter output. */
interface VitestJson {
  testResults: {
    assertionResults: {
      title: string
      status: string
      failureMessages: string[]
      meta: { qtestsLoad?: LoadResult[] }
    }[]
  }[]
}

/** The part of @qtests/core's LoadTestResult checked here. */
interface LoadResult {
  target: string
  mode: 'open' | 'closed'
  requests: number
  unsent: number
  errors: number
  rps: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  modes: { atMs: number; mode: string; reason: string }[]
  thresholds: { passed: boolean; misses: { threshold: string; measured: number; message: string }[] }
  timeline: { atMs: number; requests: number }[]
}

async function run(env: Record<string, string>, name: string) {
  const outputFile = join(tempRoot, `load-service-${name}.json`)
  const vitest = await runVitest(dir, env, ['--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`])
  const json = JSON.parse(readFileSync(outputFile, 'utf8')) as VitestJson
  const tests = new Map(json.testResults.flatMap((file) => file.assertionResults).map((test) => [test.title, test]))
  return { vitest, tests }
}

const usersTest = 'serves users at 200 requests per second with a p99 under 2 s and no errors'
const reportsTest = 'keeps the slow reports endpoint within its p99 budget with 10 clients'

describe('load-service: loadTest() from the packed packages', () => {
  it('passes, and each load test result reaches its test’s meta in Vitest’s JSON report', async () => {
    const { vitest, tests } = await run({}, 'pass')
    expect(vitest.code, vitest.stdout + vitest.stderr).toBe(0)
    const users = tests.get(usersTest)!.meta.qtestsLoad!
    expect(users).toHaveLength(1)
    expect(users[0]).toMatchObject({ mode: 'open', errors: 0, thresholds: { passed: true, misses: [] } })
    expect(users[0]!.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/users\/42$/)
    expect(users[0]!.requests + users[0]!.unsent).toBe(400)
    expect(users[0]!.modes).toEqual([{ atMs: 0, mode: 'normal', reason: 'start' }])
    expect(users[0]!.timeline.length).toBeGreaterThanOrEqual(2)
    const reports = tests.get(reportsTest)!.meta.qtestsLoad!
    // The endpoint waits 30 ms per request: no answer can be faster.
    expect(reports[0]).toMatchObject({ mode: 'closed', errors: 0 })
    expect(reports[0]!.latencyMs.p50).toBeGreaterThanOrEqual(30)
    // CI is set: no progress line, one summary line per load test.
    expect(vitest.stderr.match(/^load http:\/\/127\.0\.0\.1:\d+\/\S+: \d+ requests in/gm)).toHaveLength(2)
  })

  it('fails the test whose threshold is missed, naming the threshold and the measured value', async () => {
    const { vitest, tests } = await run({ QTESTS_EXAMPLE_REPORTS_P99_MS: '5' }, 'fail')
    expect(vitest.code).toBe(1)
    expect(tests.get(usersTest)!.status).toBe('passed')
    const reports = tests.get(reportsTest)!
    expect(reports.status).toBe('failed')
    expect(reports.failureMessages[0]).toMatch(
      /^LoadTestError: load test of http:\/\/127\.0\.0\.1:\d+\/reports: p99 latency \d+(\.\d)? ms exceeds the threshold p99Ms: 5/,
    )
    const result = reports.meta.qtestsLoad![0]!
    expect(result.thresholds.passed).toBe(false)
    expect(result.thresholds.misses[0]).toMatchObject({ threshold: 'p99Ms' })
    expect(result.thresholds.misses[0]!.measured).toBeGreaterThanOrEqual(30)
  })
})
