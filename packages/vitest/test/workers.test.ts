import { execFileSync } from 'node:child_process'
import { readFileSync, statSync, utimesSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { processesWith, spawnVitest, vitestMajor, vitestTarget } from '@qtests/test-utils'
import { describe, expect, it } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'
import { type FixtureRun, fixtureCommand, runFixture } from './runFixture.js'

describe('adaptive workers on a real Vitest run', () => {
  it('runs every test with the same outcome as plain Vitest and keeps a tight budget', async () => {
    const plain = await runFixture('workers', { FIXTURE_PLUGIN: '0' })
    // A budget a few workers exceed: the limit must come down from where it started.
    const adaptive = await runFixture('workers', { FIXTURE_BUDGET: '250MiB' })
    expect(plain.outcomes.size).toBe(12)
    expect(adaptive.outcomes).toEqual(plain.outcomes)
    expect(adaptive.code).toBe(0)
    const workers = adaptive.report!.workers
    expect(workers.adaptive).toBe(true)
    // Held back by the budget: by admission (a file starts only if its expected peak fits) or by a cut of
    // the limit under pressure — which one depends on the main process's size (Node 22's is larger).
    expect(workers.peakConcurrency).toBeLessThan(4)
    expect(workers.timeline.some((point) => (point.rssBytes ?? 0) > 0)).toBe(true)
    // The budget holds (as sampled every 250 ms): main process plus one worker fit, two do not.
    expect(workers.peakRssBytes).toBeGreaterThan(0)
    expect(workers.peakRssBytes).toBeLessThanOrEqual(250 * 1024 ** 2)
    expect(adaptive.output).toMatch(/workers \d+(→\d+)* \(at most \d+ at once\), peak \d+\.\d MiB of 250\.0 MiB budget/)
  })

  it.each(['threads', 'vmThreads', 'vmForks'])('wraps the %s pool too: every test runs and passes', async (pool) => {
    const run = await runFixture('workers', { FIXTURE_POOL: pool })
    expect(run.code, run.output).toBe(0)
    expect(run.outcomes.size).toBe(12)
    expect([...run.outcomes.values()].every((status) => status === 'passed')).toBe(true)
    expect(run.report!.workers.adaptive).toBe(true)
    expect(run.report!.workers.peakConcurrency).toBeGreaterThanOrEqual(1)
  })

  it("charts each thread worker's heap over time, or says once why this Node cannot", async () => {
    const reportDir = await mkdtemp(path.join(os.tmpdir(), 'qtests-thread-heap-'))
    const run = await runFixture('workers', { FIXTURE_POOL: 'threads' }, { reportDir })
    expect(run.code, run.output).toBe(0)
    const node = vitestMajor() === '4' ? process.execPath : (await vitestTarget()).node
    const probe = "typeof require('node:worker_threads').Worker.prototype.getHeapStatistics"
    const readable = execFileSync(node, ['-p', probe], { encoding: 'utf8' }).trim() === 'function'
    const note = /thread workers' memory is not charted over time: Node [\d.]+ cannot read a thread's heap/g
    const { files, workers } = run.report!
    if (readable) {
      expect(run.output).not.toMatch(note)
      expect(files.every((file) => file.worker === null && typeof file.thread === 'number')).toBe(true)
      const threads = new Set(files.map((file) => file.thread))
      expect(workers.threadMemory?.map((thread) => thread.thread).sort()).toEqual([...threads].sort())
      const samples = workers.threadMemory!.flatMap((thread) => thread.samples)
      expect(samples.every((sample) => sample.heapBytes > 1024 ** 2)).toBe(true)
      expect(readFileSync(path.join(reportDir, 'report.html'), 'utf8')).toContain('heap of each thread, MiB')
    } else {
      expect(run.output.match(note)).toHaveLength(1)
      expect(workers.threadMemory).toBeUndefined()
    }
  })

  it.each(['vmThreads', 'vmForks'])(
    "keeps %s's vmMemoryLimit: a worker past it is retired, not reused",
    async (pool) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'qtests-vm-limit-'))
      const workersUsed = async (limit: string) => {
        const log = path.join(dir, `workers-${limit || 'none'}.log`)
        const run = await runFixture('workers', {
          FIXTURE_POOL: pool,
          FIXTURE_WORKERS_LOG: log,
          FIXTURE_VM_LIMIT: limit,
        })
        expect(run.code, run.output).toBe(0)
        const lines = readFileSync(log, 'utf8').trim().split('\n')
        expect(lines).toHaveLength(6)
        return new Set(lines).size
      }
      // Without a limit Vitest reuses a vm worker for the next file (fewer workers than files) ...
      expect(await workersUsed('')).toBeLessThan(6)
      // ... and with a limit every file exceeds (1 KB), each file gets a fresh worker, as in plain Vitest.
      expect(await workersUsed('1KB')).toBe(6)
    },
  )

  it.each(['forks', 'threads'])(
    "starts no more %s workers than Vitest's default (CPUs - 1) when they are reused (isolate: false): each would load the modules again",
    async (pool) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'qtests-reused-'))
      const log = path.join(dir, 'workers.log')
      const run = await runFixture('workers', {
        FIXTURE_POOL: pool,
        FIXTURE_ISOLATE: 'false',
        FIXTURE_WORKERS_LOG: log,
      })
      expect(run.code, run.output).toBe(0)
      expect(run.outcomes.size).toBe(12)
      const lines = readFileSync(log, 'utf8').trim().split('\n')
      expect(lines).toHaveLength(6)
      // The fixture allows 4 workers; the files wait on timers, so with isolation the gate lets 4 run.
      const vitestDefault = Math.max(1, os.availableParallelism() - 1)
      expect(new Set(lines).size).toBeLessThanOrEqual(Math.min(4, vitestDefault))
      expect(run.report!.workers.max).toBe(Math.min(4, vitestDefault))
    },
  )

  it("samples the run and Vitest's main process at the sampling.* bounds given, adaptive workers on or off", async () => {
    const sampling = JSON.stringify({ baseIntervalMs: 100, maxIntervalMs: 300 })
    const run = await runFixture('workers', { FIXTURE_SAMPLING: sampling })
    expect(run.code, run.output).toBe(0)
    expect(run.report!.workers.sampling).toMatchObject({ baseIntervalMs: 100, minIntervalMs: 100, maxIntervalMs: 300 })
    expect(run.report!.workers.sampling?.samples).toBeGreaterThan(0)
    const main = run.report!.mainProcess!
    expect(main.samples, JSON.stringify(main)).toBeGreaterThan(0)
    expect(main.peakHeapBytes).toBeGreaterThan(1024 * 1024)
    expect(main.peakRssBytes).toBeGreaterThanOrEqual(main.peakHeapBytes)
    // Off, sampling.* sets the main process's rate alone: a fixed 50 ms samples far more often than the default 250.
    const fixed = JSON.stringify({ baseIntervalMs: 50, maxIntervalMs: 50 })
    const off = await runFixture('workers', { FIXTURE_SAMPLING: fixed, FIXTURE_ADAPTIVE: 'false' })
    expect(off.code, off.output).toBe(0)
    expect(off.report!.workers.sampling).toBeUndefined()
    const offMain = off.report!.mainProcess!
    expect(offMain.samples, JSON.stringify(offMain)).toBeGreaterThan((1.5 * offMain.durationMs) / 250)
    expect(off.output).not.toMatch(/sampling\.\*/)
  })

  it('keeps --maxWorkers as the ceiling, and --no-file-parallelism turns scaling off', async () => {
    const capped = await runFixture('workers', {}, { args: ['--maxWorkers=2'] })
    expect(capped.code).toBe(0)
    expect(capped.report!.workers).toMatchObject({ adaptive: true, max: 2 })
    expect(capped.report!.workers.peakConcurrency).toBeLessThanOrEqual(2)
    expect(Math.max(...capped.report!.workers.timeline.map((point) => point.limit))).toBeLessThanOrEqual(2)
    const serial = await runFixture('workers', {}, { args: ['--no-file-parallelism'] })
    expect(serial.code).toBe(0)
    expect(serial.report!.workers.adaptive).toBe(false)
    expect(serial.outcomes.size).toBe(12)
  })

  it("keeps a project's own file parallelism: its files run one at a time while another project's scale", async () => {
    const run = await runFixture('workers', { FIXTURE_PROJECTS: '1' })
    expect(run.code, run.output).toBe(0)
    expect(run.outcomes.size).toBe(12)
    const serial = run.fileTimes.filter((f) => /wait-[1-3]/.test(f.file)).sort((a, b) => a.start - b.start)
    expect(serial).toHaveLength(3)
    // `fileParallelism: false` in the project's config: each file starts after the one before ended
    // (before the fix, the gate ran two or three of them at once).
    for (let i = 1; i < serial.length; i++)
      expect(serial[i]!.start, JSON.stringify(serial)).toBeGreaterThanOrEqual(serial[i - 1]!.end)
    expect(run.report!.workers.peakConcurrency).toBeGreaterThanOrEqual(2)
    // One reporter, however often Vitest evaluates the config for projects that extend it.
    expect(run.output.match(/ qtests {2}leak detection off/g)).toHaveLength(1)
  })

  /** oom.test.mjs's one retry after its worker ran out of heap (FIXTURE_OOM=once): the report's record and the terminal's line. */
  function expectOomRetry(run: FixtureRun, outcome: 'passed' | 'failed', ending: string) {
    expect(run.report!.workers.retries).toEqual([
      { file: 'test/oom.test.mjs', reason: 'worker exited: heap out of memory (SIGABRT)', heapMb: 320, outcome },
    ])
    expect(run.output).toContain(
      `retried test/oom.test.mjs alone with a 320 MiB heap after worker exited: heap out of memory (SIGABRT): ${ending}`,
    )
  }

  it('retries a file whose worker ran out of heap, alone and with twice the heap, and loses no test', async () => {
    const run = await runFixture('workers', { FIXTURE_OOM: 'once' })
    expect(run.code).toBe(0)
    expect(run.outcomes.size).toBe(13)
    expect([...run.outcomes.values()].every((status) => status === 'passed')).toBe(true)
    expectOomRetry(run, 'passed', 'completed')
  })

  it('says a retry that ran to its end with a failing test failed, in the report and the terminal', async () => {
    const run = await runFixture('workers', { FIXTURE_OOM: 'once', FIXTURE_OOM_FAILS: '1' })
    expect(run.code, run.output).toBe(1)
    expect(run.report!.outcome).toBe('failed')
    expectOomRetry(run, 'failed', 'completed, with failing tests')
  })

  it('fails the run when the retry crashes too, naming the file and the memory it reached', async () => {
    const run = await runFixture('workers', { FIXTURE_OOM: 'always' })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(
      /test\/oom\.test\.mjs crashed again when run alone \(worker exited: heap out of memory \(SIGABRT\)\); its worker reached \d+\.\d [MG]iB/,
    )
    expect(run.report!.workers.retries[0]).toMatchObject({ file: 'test/oom.test.mjs', outcome: 'crashed again' })
    expect(run.report!.outcome).toBe('failed')
    // The other files still ran and passed.
    expect(
      [...run.outcomes.entries()]
        .filter(([name]) => name.startsWith('wait-'))
        .every(([, status]) => status === 'passed'),
    ).toBe(true)
  })

  it('does not call an abort far from the heap limit running out of memory', async () => {
    const run = await runFixture('workers', { FIXTURE_ABORT: '1' })
    expect(run.code).toBe(1)
    const retry = run.report!.workers.retries[0]!
    expect(retry).toMatchObject({ file: 'test/abort.test.mjs', outcome: 'crashed again' })
    expect(retry.reason).toMatch(/^worker exited: aborted \(SIGABRT\)/)
    expect(run.output).not.toMatch(/abort\.test\.mjs.*heap out of memory/)
    expect(run.output).toMatch(
      /abort\.test\.mjs crashed again when run alone .*The run fails: it does not crash for want of memory/,
    )
  })

  it('retries a thread whose heap ran out, and says so when Node pins the heap of every thread', async () => {
    // Vitest under --max-old-space-size=160: Node gives each thread that heap whatever resourceLimits say,
    // so the retry runs alone with the same heap, crashes again, and the run fails naming the file.
    const run = await runFixture('workers', {
      FIXTURE_POOL: 'threads',
      FIXTURE_OOM: 'once',
      NODE_OPTIONS: '--max-old-space-size=160',
    })
    expect(run.code).toBe(1)
    expect(run.report!.workers.retries).toEqual([
      {
        file: 'test/oom.test.mjs',
        reason: 'worker exited: heap out of memory',
        heapMb: null,
        outcome: 'crashed again',
      },
    ])
    expect(run.output).toContain(
      "running it again alone (its heap cannot be raised: Node gives worker threads the main process's --max-old-space-size)",
    )
    expect(run.output).toContain(
      'retried test/oom.test.mjs alone with the same heap after worker exited: heap out of memory: crashed again',
    )
    // A thread has no RSS of its own: the message names the heap it reached where Node can read a thread's heap
    // (≥ 22.16), else the heap limit that ran out.
    expect(run.output).toMatch(
      /test\/oom\.test\.mjs crashed again when run alone \(worker exited: heap out of memory\); its (worker reached \d+\.\d MiB|heap limit was 160 MiB)/,
    )
    expect(
      [...run.outcomes.entries()]
        .filter(([name]) => name.startsWith('wait-'))
        .every(([, status]) => status === 'passed'),
    ).toBe(true)
  })

  it('stops cleanly on --bail: files waiting at the gate do not start, and no worker process is left', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'qtests-bail-'))
    // The failing file first, so the failure comes while files still wait at the gate (Vitest's own order
    // puts the smallest file last when it has no results cached, as on a fresh checkout).
    const run = await runFixture(
      'workers',
      { FIXTURE_FAIL: '1', FIXTURE_FIRST: 'fails.test.mjs' },
      { args: ['--bail=1'], reportDir: out },
    )
    expect(run.code).toBe(1)
    expect(run.outcomes.get('fails.test.mjs > fails')).toBe('failed')
    // Vitest hands the gate up to `max` (4) files while 2 run. A file running beside the failing one may
    // finish a test before the cancel arrives (as in plain Vitest); files still waiting at the gate must
    // not start at all — before the fix, the waiting files ran to the end after the failure.
    const passed = [...run.outcomes.entries()].filter(
      ([name, status]) => name.startsWith('wait-') && status === 'passed',
    )
    expect(passed.length, run.output).toBeLessThanOrEqual(2)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(processesWith(out)).toEqual([])
    expect(run.report!.workers.adaptive).toBe(true)
  })

  it('reports a crash whose retry the run cancelled, instead of losing it', async () => {
    // oom.test.mjs crashes soon after it starts; its retry must wait to run alone, and fails.test.mjs (beside
    // it) fails after 5 s, so --bail cancels the run while the retry waits (the expected `cancelled` says so).
    const run = await runFixture(
      'workers',
      { FIXTURE_OOM: 'always', FIXTURE_FAIL: 'late', FIXTURE_FIRST: 'oom.test.mjs,fails.test.mjs' },
      { args: ['--bail=1'] },
    )
    expect(run.code).toBe(1)
    expect(run.report!.workers.retries).toEqual([
      {
        file: 'test/oom.test.mjs',
        reason: 'worker exited: heap out of memory (SIGABRT)',
        heapMb: 320,
        outcome: 'cancelled',
      },
    ])
    expect(run.output).toContain(
      'test/oom.test.mjs: worker exited: heap out of memory (SIGABRT); not run again, the run was cancelled first',
    )
    // Vitest hears of the crash, as it would without the plugin.
    expect(run.output).toMatch(
      /heap out of memory \(SIGABRT\); the run was cancelled before .*oom\.test\.mjs could run again/,
    )
  })

  it("passes Vitest's calls through while a worker starts (a project's own test environment loads then)", async () => {
    const run = await runFixture('workers', { FIXTURE_ENV: '1' }, { timeoutMs: 60_000 })
    expect(run.code, run.output).toBe(0)
    expect(run.outcomes.size).toBe(12)
    expect([...run.outcomes.values()].every((status) => status === 'passed')).toBe(true)
  })

  it('works again on a watch-mode rerun', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'qtests-watch-'))
    const reportFile = path.join(out, 'report.json')
    const command = await fixtureCommand('workers')
    const vitest = spawnVitest(command.cwd, ['watch'], {
      node: command.node,
      vitestBin: command.vitestBin,
      env: { ...command.env, QTESTS_REPORT_DIR: out, CI: '' },
      ownGroup: true,
    })
    try {
      const first = await waitForReport(reportFile, undefined)
      // Touch a test file: Vitest reruns it, and the pool must admit and run it again.
      const touched = path.join(command.cwd, 'test', 'wait-1.test.mjs')
      const now = new Date()
      utimesSync(touched, now, now)
      const second = await waitForReport(reportFile, first.startedAt)
      // The report still covers every file; the rerun's is the one not carried over from the first run.
      expect(second.files.filter((file) => !file.earlierRun).map((file) => file.file)).toEqual(['test/wait-1.test.mjs'])
      expect(second.files).toHaveLength(first.files.length)
      expect(second.workers.adaptive).toBe(true)
      expect(second.workers.peakConcurrency).toBe(1)
      expect(vitest.stdout() + vitest.stderr()).not.toContain('Error')
    } finally {
      await vitest.stop()
    }
  })
})

/** Waits (up to 90 s) for a report.json whose run started after `previousStart`. */
async function waitForReport(file: string, previousStart: string | undefined): Promise<QtestsReport> {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    try {
      statSync(file)
      const report = JSON.parse(readFileSync(file, 'utf8')) as QtestsReport
      if (report.startedAt !== previousStart) return report
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`no new report at ${file} within 90 s`)
}
