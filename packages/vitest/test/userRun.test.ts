import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@qtests/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { type FixtureRun, runFixture } from './runFixture.js'

// The plugin's promise: the user's run looks exactly as it would without it, in both modes. The fixture's
// tests share state, write snapshots, skip themselves after a first run, hold a fixed port, take time,
// print, fail and leave a rejection unhandled: each is a way hunt's extra runs used to show through.

const snapshotPath = 'test/__snapshots__/snapshots.test.mjs.snap'
const fixtureSnapshots = fileURLToPath(new URL(`./fixtures/user-run/${snapshotPath}`, import.meta.url))
const committedSnapshots = readFileSync(fixtureSnapshots, 'utf8')

/** Runs the fixture from its committed snapshot file; returns the run and the snapshot file it left. */
async function run(env: Record<string, string>, args: string[] = []): Promise<FixtureRun & { snapshots: string }> {
  // Vitest 4.1 runs the fixture in place: each run starts from the committed file and leaves it so.
  writeFileSync(fixtureSnapshots, committedSnapshots)
  try {
    // A port nothing listens on now: another run on this machine may hold the fixture's default one.
    const port = String(await freePort())
    const result = await runFixture('user-run', { FIXTURE_PORT: port, ...env }, { args, timeoutMs: 240_000 })
    return { ...result, snapshots: readFileSync(path.join(result.cwd, snapshotPath), 'utf8') }
  } finally {
    writeFileSync(fixtureSnapshots, committedSnapshots)
  }
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern, 'g'))?.length ?? 0
}

describe.each(['forks', 'threads'])('the user’s own run, pool %s', (pool) => {
  let plain: FixtureRun & { snapshots: string }
  const modes = {} as Record<'measure' | 'hunt', FixtureRun & { snapshots: string }>
  beforeAll(async () => {
    plain = await run({ FIXTURE_POOL: pool, FIXTURE_PLUGIN: '0' })
    modes.measure = await run({ FIXTURE_POOL: pool, FIXTURE_PLUGIN: '1', QTESTS_LEAKS: 'measure' })
    modes.hunt = await run({ FIXTURE_POOL: pool, FIXTURE_PLUGIN: '1', QTESTS_LEAKS: 'hunt' })
  }, 600_000)

  it('has the outcomes and exit code it has without the plugin, in both modes', () => {
    expect(plain.outcomes.get('run-once.test.mjs > fails, with a stack of its own')).toBe('failed')
    expect(plain.outcomes.get('shared-state.test.mjs > shared state sees exactly one order')).toBe('passed')
    for (const mode of ['measure', 'hunt'] as const) {
      expect(modes[mode].outcomes, `${mode}:\n${modes[mode].output}`).toEqual(plain.outcomes)
      expect(modes[mode].code, mode).toBe(plain.code)
    }
  })

  it('writes the snapshot file as it would without the plugin', () => {
    for (const mode of ['measure', 'hunt'] as const) expect(modes[mode].snapshots, mode).toBe(plain.snapshots)
    // The summary's lines ("Snapshots  1 written" and "1 failed" under it): the changed record fails in every
    // mode; the new one is written (outside CI) from the user's run alone.
    const summary = (output: string) => /Snapshots {2}[^\n]*(\n {13}[^\n]*)*/.exec(output)?.[0]
    expect(summary(plain.output), plain.output).toMatch(/1 failed/)
    for (const mode of ['measure', 'hunt'] as const)
      expect(summary(modes[mode].output), mode).toBe(summary(plain.output))
  })

  it('reports each test’s own duration, not its repeats’', () => {
    const own = plain.durations.get('run-once.test.mjs > takes a quarter of a second')!
    expect(own).toBeGreaterThanOrEqual(240)
    for (const mode of ['measure', 'hunt'] as const)
      expect(modes[mode].durations.get('run-once.test.mjs > takes a quarter of a second'), mode).toBeLessThan(
        own + 1000,
      )
  })

  it('prints the test’s console output once, and one unhandled error', () => {
    expect(count(plain.output, /hello from the test/)).toBe(1)
    expect(count(plain.output, /nobody handles this/)).toBeGreaterThan(0)
    for (const mode of ['measure', 'hunt'] as const) {
      expect(count(modes[mode].output, /hello from the test/), mode).toBe(1)
      expect(count(modes[mode].output, /nobody handles this/), mode).toBe(count(plain.output, /nobody handles this/))
      expect(/Errors\s+.*/.exec(modes[mode].output)?.[0], mode).toBe(/Errors\s+.*/.exec(plain.output)?.[0])
    }
  })

  it('shows no frame of the plugin in a failing test’s error', () => {
    for (const mode of ['measure', 'hunt'] as const) {
      const messages = modes[mode].failures.get('run-once.test.mjs > fails, with a stack of its own')!.join('\n')
      expect(messages, mode).not.toMatch(/@qtests\/vitest|packages\/vitest\/dist|worker\/runner\.js/)
    }
  })

  it('never calls the gc and performance.now a file stubbed for all its tests, and judges it with the real ones', () => {
    const stubbed = [...plain.outcomes].filter(([name]) => name.startsWith('stubs.test.mjs > '))
    expect(stubbed).toHaveLength(6)
    expect(
      stubbed.every(([, outcome]) => outcome === 'passed'),
      JSON.stringify(stubbed),
    ).toBe(true)
    const file = modes.measure.report?.files.find((f) => f.file === 'test/stubs.test.mjs')
    expect(file?.probe?.error, JSON.stringify(file?.probe)).toBeUndefined()
    expect(file?.verdict, file?.reason).not.toMatch(/leak|suspect/)
  })

  it('still measures in hunt mode, after the run: the shared-state tests are clean', () => {
    const file = modes.hunt.report?.files.find((f) => f.file === 'test/shared-state.test.mjs')
    expect(file?.tests.find((t) => t.name === 'shared state > places an order')?.verdict).toBe('clean')
  })
})

describe('hunt mode with --update', () => {
  it('updates snapshots from the user’s own run', async () => {
    const plain = await run({ FIXTURE_PLUGIN: '0' }, ['-u'])
    const hunt = await run({ FIXTURE_PLUGIN: '1', QTESTS_LEAKS: 'hunt' }, ['-u'])
    expect(plain.snapshots).toMatch(/"id": 2/)
    expect(hunt.snapshots).toBe(plain.snapshots)
  }, 600_000)
})
