import { spawn } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { QtestsReport } from '../src/report/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const vitestBin = path.resolve(here, '../node_modules/vitest/vitest.mjs')

export interface FixtureRun {
  code: number | null
  output: string
  /** Vitest's own verdicts, from its JSON reporter: full name → status */
  outcomes: Map<string, string>
  /** When each file ran, from Vitest's JSON reporter (ms since the epoch). */
  fileTimes: { file: string; start: number; end: number }[]
  /** Vitest's own durations: full name → ms */
  durations: Map<string, number>
  /** Vitest's own failure messages: full name → messages */
  failures: Map<string, string[]>
  report: QtestsReport | undefined
}

/** Runs real Vitest on a fixture project in a child process, as a user's `vitest run` would. */
export async function runFixture(
  name: string,
  env: Record<string, string>,
  options: { args?: string[]; reportDir?: string; timeoutMs?: number } = {},
): Promise<FixtureRun> {
  const { args = [], reportDir, timeoutMs = 120_000 } = options
  const cwd = path.join(here, 'fixtures', name)
  const out = reportDir ?? (await mkdtemp(path.join(os.tmpdir(), 'qtests-fixture-')))
  const vitestJson = path.join(out, 'vitest.json')
  const child = spawn(process.execPath, [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...args], {
    cwd,
    env: { ...process.env, QTESTS_REPORT_DIR: out, NO_COLOR: '1', ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  // A hung run (a deadlocked pool) fails the test with what Vitest printed instead of hanging the suite.
  const timer = setTimeout(() => {
    output += `\n[runFixture: killed after ${timeoutMs / 1000} s]`
    child.kill('SIGKILL')
  }, timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  const outcomes = new Map<string, string>()
  const json = await readFile(vitestJson, 'utf8').catch(() => {
    throw new Error(`Vitest wrote no JSON results (exit ${code}); it printed:\n${output}`)
  })
  const results = JSON.parse(json) as {
    testResults: {
      name: string
      startTime: number
      endTime: number
      assertionResults: { fullName: string; status: string; duration?: number; failureMessages?: string[] }[]
    }[]
  }
  const fileTimes = results.testResults.map((file) => ({ file: path.basename(file.name), start: file.startTime, end: file.endTime }))
  const durations = new Map<string, number>()
  const failures = new Map<string, string[]>()
  for (const file of results.testResults)
    for (const test of file.assertionResults) {
      const name = `${path.basename(file.name)} > ${test.fullName}`
      outcomes.set(name, test.status)
      if (test.duration !== undefined) durations.set(name, test.duration)
      if (test.failureMessages?.length) failures.set(name, test.failureMessages)
    }
  let report: QtestsReport | undefined
  try {
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  } catch {
    report = undefined
  }
  return { code, output, outcomes, fileTimes, durations, failures, report }
}
