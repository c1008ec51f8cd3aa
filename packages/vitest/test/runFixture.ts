import { cpSync, mkdtempSync, symlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { spawnVitest, vitestBin, vitestMajor, vitestTarget } from '@qtests/test-utils'
import { inject } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))

declare module 'vitest' {
  export interface ProvidedContext {
    /** QTESTS_VITEST=5: a directory with Vitest 5 and the packed plugin installed (see vitestHome.ts) */
    vitestHome?: string
  }
}

/** How to start Vitest on a fixture: where, with which Node and Vitest, and how its config finds the plugin. */
export interface FixtureCommand {
  /** the directory Vitest runs in: the fixture itself, or a fresh copy beside another Vitest */
  cwd: string
  node: string
  vitestBin: string
  env: Record<string, string>
}

/**
 * Vitest 4.1 (the default) runs the fixture where it is, with this package's build. Under QTESTS_VITEST=5 a
 * fresh copy of the fixture runs in the Vitest 5 home, on Node 22, with the plugin from the packed tarball.
 */
export async function fixtureCommand(name: string, copy?: string): Promise<FixtureCommand> {
  const source = path.join(here, 'fixtures', name)
  if (vitestMajor() === '4')
    return {
      cwd: source,
      node: process.execPath,
      vitestBin: path.resolve(here, '../node_modules/vitest/vitest.mjs'),
      env: {},
    }
  const home = inject('vitestHome')
  if (!home) throw new Error('QTESTS_VITEST=5 but no Vitest 5 home was prepared (see test/vitestHome.ts)')
  // `copy`: the directory of an earlier run, for a test that runs the same project twice (a cache carried over).
  // Copies live outside node_modules (Vite's watcher and the plugin's module list leave such paths out).
  const cwd = copy ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'qtests-fixture-v5-')), name)
  if (!copy) {
    cpSync(source, cwd, {
      recursive: true,
      filter: (file) => !['node_modules', '.qtests'].includes(path.basename(file)),
    })
    symlinkSync(path.join(home, 'node_modules'), path.join(cwd, 'node_modules'))
  }
  const target = await vitestTarget()
  return {
    cwd,
    node: target.node,
    vitestBin: vitestBin(home),
    env: { QTESTS_PLUGIN: pathToFileURL(path.join(home, 'node_modules/@qtests/vitest/dist/index.js')).href },
  }
}

export interface FixtureRun {
  code: number | null
  output: string
  /** where the fixture ran (its files, snapshots and caches after the run) */
  cwd: string
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
  options: { args?: string[]; reportDir?: string; timeoutMs?: number; again?: FixtureRun } = {},
): Promise<FixtureRun> {
  const { args = [], reportDir, timeoutMs = 120_000 } = options
  const command = await fixtureCommand(name, options.again?.cwd)
  const out = reportDir ?? (await mkdtemp(path.join(os.tmpdir(), 'qtests-fixture-')))
  const vitestJson = path.join(out, 'vitest.json')
  const vitest = spawnVitest(
    command.cwd,
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...args],
    {
      node: command.node,
      vitestBin: command.vitestBin,
      env: { QTESTS_REPORT_DIR: out, ...command.env, ...env },
      timeoutMs,
    },
  )
  const code = await vitest.closed
  const output = vitest.stdout() + vitest.stderr()
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
  const fileTimes = results.testResults.map((file) => ({
    file: path.basename(file.name),
    start: file.startTime,
    end: file.endTime,
  }))
  const durations = new Map<string, number>()
  const failures = new Map<string, string[]>()
  for (const file of results.testResults)
    for (const test of file.assertionResults) {
      const key = `${path.basename(file.name)} > ${test.fullName}`
      outcomes.set(key, test.status)
      if (test.duration !== undefined) durations.set(key, test.duration)
      if (test.failureMessages?.length) failures.set(key, test.failureMessages)
    }
  let report: QtestsReport | undefined
  try {
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as QtestsReport
  } catch {
    report = undefined
  }
  return { code, output, cwd: command.cwd, outcomes, fileTimes, durations, failures, report }
}
