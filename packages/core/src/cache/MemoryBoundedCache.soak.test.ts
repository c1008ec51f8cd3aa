import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CHILD = fileURLToPath(new URL('../../test/cacheSoak.child.mjs', import.meta.url))
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const MB = 1024 * 1024
const OLD_SPACE_MB = 64

/** Runs the soak child in a process whose old generation is OLD_SPACE_MB. */
function soak(maxBytes: number, pressure: boolean) {
  if (!existsSync(DIST))
    throw new Error(`The soak runs the built package: ${DIST} is missing; run pnpm --filter @qtests/core build.`)
  const child = spawnSync(
    process.execPath,
    [`--max-old-space-size=${OLD_SPACE_MB}`, '--expose-gc', CHILD, JSON.stringify({ maxBytes, pressure })],
    { encoding: 'utf8', timeout: 120_000 },
  )
  return child
}

describe('MemoryBoundedCache soak (a 64 MB heap, a cache allowed 256 MB, 10× that written)', () => {
  it('keeps post-GC memory under the heap budget through pressure evictions, where pressure off dies of OOM', () => {
    const run = soak(256 * MB, true)
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(result.written).toBeGreaterThanOrEqual(10 * 256 * MB)
    // The default budget is the old generation (64 MB); every post-GC sample (every 64 MB written) stays under it.
    expect(result.peakLiveBytes).toBeLessThan(OLD_SPACE_MB * MB)
    expect(result.stats.evictions.pressure).toBeGreaterThan(0)
    expect(result.stats.evictions.size).toBe(0)

    // The control: the same writes without pressure eviction exceed the heap (the cache keeps 128 MB of text).
    const control = soak(256 * MB, false)
    expect(control.status).not.toBe(0)
    expect(control.stderr).toContain('heap out of memory')
  }, 180_000)
})
