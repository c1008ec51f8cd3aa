import { createRequire } from 'node:module'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import type { PoolOptions } from 'vitest/node'
import { describe, expect, it } from 'vitest'
import { createWorker, retryHeapFixed } from './adaptivePool.js'

// Vitest's real workers, started (a process or a thread running Vitest's entry, idle until told to run)
// and stopped: what a crashed file's retry gets is read from the process's arguments and the thread's limits.
const distPath = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'dist')
const logger = { outputStream: new PassThrough(), errorStream: new PassThrough() }
const options = {
  execArgv: ['--conditions=node'],
  env: { ...process.env },
  distPath,
  project: { vitest: { logger } },
} as unknown as PoolOptions

type ThreadFields = { _thread?: { resourceLimits?: { maxOldGenerationSizeMb?: number } } }
type ForkFields = { _fork?: { spawnargs: string[] } }

describe('the worker a retry runs in', () => {
  it.each(['threads', 'vmThreads'] as const)('a %s retry gets the heap limit in resourceLimits', async (pool) => {
    const retry = createWorker(pool, options, 300)
    const plain = createWorker(pool, options)
    await Promise.all([retry.start(), plain.start()])
    try {
      expect((retry as unknown as ThreadFields)._thread?.resourceLimits?.maxOldGenerationSizeMb).toBe(300)
      expect((plain as unknown as ThreadFields)._thread?.resourceLimits?.maxOldGenerationSizeMb).not.toBe(300)
    } finally {
      await Promise.all([retry.stop(), plain.stop()])
    }
  })

  it.each(['forks', 'vmForks'] as const)(
    'a %s retry gets --max-old-space-size and keeps the other arguments',
    async (pool) => {
      const retry = createWorker(pool, options, 300)
      await retry.start()
      try {
        const args = (retry as unknown as ForkFields)._fork!.spawnargs
        expect(args).toContain('--max-old-space-size=300')
        expect(args).toContain('--conditions=node')
      } finally {
        await retry.stop()
      }
    },
  )
})

describe('whether a retry can get more heap', () => {
  it('can for forked workers; for threads only while this process has no heap flag', () => {
    const saved = process.env.NODE_OPTIONS
    try {
      delete process.env.NODE_OPTIONS
      expect(retryHeapFixed('forks', options)).toBeUndefined()
      expect(retryHeapFixed('threads', options)).toBeUndefined()
      process.env.NODE_OPTIONS = '--max-old-space-size=512'
      expect(retryHeapFixed('vmForks', options)).toBeUndefined()
      expect(retryHeapFixed('threads', options)).toMatch(/--max-old-space-size/)
      expect(retryHeapFixed('vmThreads', options)).toMatch(/--max-old-space-size/)
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS
      else process.env.NODE_OPTIONS = saved
    }
  })
})
