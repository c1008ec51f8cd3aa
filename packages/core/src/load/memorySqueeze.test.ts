import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DIST_INDEX } from '../../test/dist.js'
import type { LoadTestResult } from './loadTester.js'

const CHILD = fileURLToPath(new URL('../../test/squeezeChild.mjs', import.meta.url))

/** Runs the squeeze in a child process with a 64 MB old generation; its target would need 60 MB at full load. */
async function squeeze(memory: 'on' | 'off'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      '--max-old-space-size=64',
      CHILD,
      memory,
      '3000',
    ])
    return { code: 0, stdout, stderr }
  } catch (error) {
    // A non-zero exit: execFile's error carries the code and what the child printed.
    const { code, stdout, stderr } = error as { code: number | null; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

describe('LoadTester under a real heap squeeze', () => {
  it(`without memory-aware modes the same load takes the process past its heap limit (${DIST_INDEX} is what runs)`, async () => {
    const run = await squeeze('off')
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('JavaScript heap out of memory')
  }, 60_000)

  it('steps down as the heap fills and finishes with a result instead of dying', async () => {
    const run = await squeeze('on')
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as LoadTestResult
    expect(result.requests).toBeGreaterThan(0)
    const modes = result.modes.map((entry) => entry.mode)
    expect(modes[0]).toBe('normal')
    expect(modes.length).toBeGreaterThanOrEqual(2)
    expect(result.modes[1]!.reason).toMatch(
      /^heap \d+% of its limit \([\d.]+ MiB of [\d.]+ MiB\), at or above (70|85)%$/,
    )
    // Each switch is also in the timeline the report charts.
    expect(result.timeline.some((point) => point.mode !== 'normal')).toBe(true)
  }, 60_000)
})
