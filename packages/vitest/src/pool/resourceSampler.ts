import { readFileSync } from 'node:fs'
import os from 'node:os'

/**
 * Reads what the machine sees: resident memory of the worker processes and how busy the CPUs are. Linux reads /proc; elsewhere the main process's
 * own RSS stands in (threads live there anyway), so the budget is still enforced, more coarsely.
 */

const hasProc = process.platform === 'linux'

/** RSS in bytes of one process, or undefined once it is gone. */
export function processRssBytes(pid: number): number | undefined {
  if (!hasProc) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const match = /VmRSS:\s+(\d+) kB/.exec(status)
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/**
 * Memory the run uses: Vitest's main process (with thread workers inside it) plus the worker processes
 * the pool started. Reading a few /proc/<pid>/status files costs well under a millisecond; scanning all
 * of /proc for descendants cost ≈ 15 ms a tick and delayed the main process's answers to workers.
 */
export function runRssBytes(workerPids: Iterable<number>): { totalBytes: number; mainBytes: number; gone: number[] } {
  const mainBytes = process.memoryUsage.rss()
  let totalBytes = mainBytes
  const gone: number[] = []
  for (const pid of workerPids) {
    const rss = processRssBytes(pid)
    if (rss === undefined) gone.push(pid)
    else totalBytes += rss
  }
  return { totalBytes, mainBytes, gone }
}

/** What adaptive worker scaling reads of the machine; `machineSampler()` is the real one. */
export interface ScalingSampler {
  /** the CPUs' busy share (0..1) since the last call */
  cpuBusy(): number
  /** how busy this process's main thread was (event-loop utilisation, 0..1) since the last call */
  mainBusy(): number
  mainRss(): number
  processRss(pid: number): number | undefined
  runRss(workerPids: Iterable<number>): { totalBytes: number; mainBytes: number; gone: number[] }
}

export function machineSampler(): ScalingSampler {
  const cpu = new CpuLoad()
  let lastLoop = performance.eventLoopUtilization()
  return {
    cpuBusy: () => cpu.sample(),
    mainBusy: () => {
      const loop = performance.eventLoopUtilization(lastLoop)
      lastLoop = performance.eventLoopUtilization()
      return loop.utilization
    },
    mainRss: () => process.memoryUsage.rss(),
    processRss: processRssBytes,
    runRss: runRssBytes,
  }
}

/** CPU busy share (0..1) of the whole machine between two calls. */
export class CpuLoad {
  #last = totals()

  sample(): number {
    const now = totals()
    const busy = now.busy - this.#last.busy
    const all = now.all - this.#last.all
    this.#last = now
    return all > 0 ? Math.min(1, Math.max(0, busy / all)) : 0
  }
}

function totals(): { busy: number; all: number } {
  let busy = 0
  let all = 0
  for (const cpu of os.cpus()) {
    const t = cpu.times
    const sum = t.user + t.nice + t.sys + t.idle + t.irq
    all += sum
    busy += sum - t.idle
  }
  return { busy, all }
}
