import { beforeAll, describe, expect, it } from 'vitest'
import { type FixtureRun, runFixture } from './runFixture.js'

// A project's own `runner` keeps working: the plugin extends it with the probes instead of replacing it.
describe.each(['forks', 'threads'])("a project with its own test runner, pool '%s'", (pool) => {
  let plain: FixtureRun
  let hunt: FixtureRun
  let measure: FixtureRun
  beforeAll(async () => {
    plain = await runFixture('custom-runner', { FIXTURE_POOL: pool, FIXTURE_PLUGIN: '0' })
    hunt = await runFixture('custom-runner', { FIXTURE_POOL: pool, FIXTURE_PLUGIN: '1', QTESTS_LEAKS: 'hunt' })
    measure = await runFixture('custom-runner', { FIXTURE_POOL: pool, FIXTURE_PLUGIN: '1', QTESTS_LEAKS: 'measure' })
  })

  it('runs every test under the user’s runner, with the same outcomes as without the plugin', () => {
    expect([...plain.outcomes.values()]).toEqual(['passed', 'passed', 'passed', 'passed'])
    expect(plain.code).toBe(0)
    expect(hunt.outcomes).toEqual(plain.outcomes)
    expect(measure.outcomes).toEqual(plain.outcomes)
    expect(hunt.code).toBe(0)
    expect(measure.code).toBe(0)
  })

  it('hunts through it: the leak is found, the transient work is clean', () => {
    const tests = new Map(hunt.report!.files[0]!.tests.map((t) => [t.name, t]))
    expect(tests.get('under a custom runner > leaks into a module-level array')?.verdict).toBe('leak')
    const transient = tests.get('under a custom runner > does transient work')
    expect(transient?.verdict, transient?.reason).toBe('clean')
    expect(hunt.report!.files[0]!.probe?.error).toBeUndefined()
  })
})
