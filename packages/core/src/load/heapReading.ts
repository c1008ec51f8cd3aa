import v8 from 'node:v8'
import type { HeapReading } from './memoryModes.js'

const MB = 1024 * 1024
/** V8's default semi-space on 64-bit Node 20–22; the young generation reserves three of them (seen here: heap_size_limit = old space + 48 MB). */
const DEFAULT_SEMI_SPACE_MB = 16
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space'])

/**
 * What the long-lived (old) generation can hold before "heap out of memory": the heap limit minus the young
 * generation's reservation (three semi-spaces) and one more semi-space, the room a scavenge needs to promote
 * the young generation's survivors. `heap_size_limit` alone is 64 MB too generous: under
 * `--max-old-space-size=64` it is 112 MB, and a process died at 51 MB of old generation in use (seen here).
 */
export function oldGenerationLimitBytes(): number {
  const semiSpaceMb =
    semiSpaceFlagMb(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`) ?? DEFAULT_SEMI_SPACE_MB
  return v8.getHeapStatistics().heap_size_limit - 4 * semiSpaceMb * MB
}

/** The value of `--max-semi-space-size` (either spelling) in a command line, MB. */
export function semiSpaceFlagMb(commandLine: string): number | undefined {
  const match = /--max[-_]semi[-_]space[-_]size[= ](\d+)/.exec(commandLine)
  return match ? Number(match[1]) : undefined
}

/** Old-generation heap in use, against the lower of V8's limit and the user's budget. About 5 µs. */
export function readHeap(limitBytes: number): HeapReading {
  let usedBytes = 0
  for (const space of v8.getHeapSpaceStatistics())
    if (!YOUNG_SPACES.has(space.space_name)) usedBytes += space.space_used_size
  return { usedBytes, limitBytes }
}
