import { Worker } from 'node:worker_threads'
import type { PoolWorker, ThreadsPoolWorker, Vitest } from 'vitest/node'
import type { StartedWorker } from './gateKeeper.js'
import {
  ForksPoolWorker,
  ThreadsPoolWorker as ThreadsWorker,
  VmForksPoolWorker,
  VmThreadsPoolWorker,
} from 'vitest/node'

// What the adaptive pool uses of Vitest's pool that its API does not document: the workers' private process
// and thread fields, and the state call that reports files skipped. One place for all of it, for Vitest 4.1
// and 5 (checked against the installed Vitest by test/vitestInternals.test.ts and the pool's own tests).

/** Vitest's own worker classes for the pools the adaptive gate wraps (exported by `vitest/node`). */
export const vitestWorkers = {
  forks: ForksPoolWorker,
  threads: ThreadsWorker,
  vmForks: VmForksPoolWorker,
  vmThreads: VmThreadsPoolWorker,
}

/** A forked worker's child process, once started: `_fork` in both majors. */
function forkOf(worker: PoolWorker | undefined): { pid?: number; stderr?: NodeJS.ReadableStream | null } | undefined {
  return (worker as unknown as { _fork?: { pid?: number; stderr?: NodeJS.ReadableStream | null } } | undefined)?._fork
}

/** The child's pid, for per-file memory; undefined for threads. */
function workerPid(worker: PoolWorker | undefined): number | undefined {
  const pid = forkOf(worker)?.pid
  return typeof pid === 'number' ? pid : undefined
}

/** The child's stderr (Vitest pipes it to its own), for V8's own words when the heap runs out. */
export function workerStderr(worker: PoolWorker | undefined): NodeJS.ReadableStream | undefined {
  return forkOf(worker)?.stderr ?? undefined
}

/** A thread worker's heap, read from the main thread: Node ≥ 22.16 has `Worker.getHeapStatistics()`. */
export interface ThreadHeap {
  threadId: number
  usedBytes(): Promise<number>
}

/** Node ≥ 22.16's `Worker.getHeapStatistics()` (not in Node 20's types). */
type ThreadWithHeap = Worker & { getHeapStatistics?: () => Promise<{ used_heap_size: number }> }

function threadOf(worker: PoolWorker | undefined): ThreadWithHeap | undefined {
  const thread = (worker as unknown as { _thread?: unknown } | undefined)?._thread
  return thread instanceof Worker ? thread : undefined
}

/**
 * What the pool learns of a started worker: a forked one's pid (`_fork`), or a thread (`_thread`, both majors) as
 * a heap reader — or, on a Node without `getHeapStatistics`, why its heap cannot be read.
 */
export function startedWorker(worker: PoolWorker | undefined): StartedWorker {
  const thread = threadOf(worker)
  if (!thread) return { pid: workerPid(worker) }
  const read = thread.getHeapStatistics
  if (typeof read !== 'function')
    return {
      threadHeapUnreadable: `Node ${process.versions.node} cannot read a thread's heap from outside it (Worker.getHeapStatistics needs Node ≥ 22.16)`,
    }
  return { thread: { threadId: thread.threadId, usedBytes: async () => (await read.call(thread)).used_heap_size } }
}

/** Whether this Vitest's thread worker creates its thread in a field the plugin can fill first (`_thread`). */
export function threadFieldOf(worker: ThreadsPoolWorker): boolean {
  return '_thread' in worker
}

/**
 * Vitest's thread worker creates its `Worker` in `start()` unless it has one already (the runtime may be
 * shared); this one creates it first, with the same options and a heap limit.
 */
export function withThreadHeap(Base: typeof ThreadsWorker, heapMb: number): typeof ThreadsWorker {
  return class ThreadWithHeap extends Base {
    override async start(): Promise<void> {
      const fields = this as unknown as { _thread?: Worker }
      fields._thread ??= new Worker(this.entrypoint, {
        env: this.env,
        execArgv: this.execArgv,
        stdout: true,
        stderr: true,
        resourceLimits: { maxOldGenerationSizeMb: heapMb },
      })
      await super.start()
    }
  }
}

export type FileSpecification = Parameters<Vitest['state']['cancelFiles']>[0][number]

/** Reports files skipped, as Vitest reports the files still queued when it cancels a run. */
export function reportFilesSkipped(
  vitest: Vitest,
  files: FileSpecification[],
  project: Parameters<Vitest['state']['cancelFiles']>[1],
): boolean {
  try {
    vitest.state.cancelFiles(files, project)
    return true
  } catch {
    // Vitest's state API moved: the file is then simply absent from the summary, still not run.
    return false
  }
}
