import type { LeakVerdict } from '@qtests/core/leaks'
import type { FileReport, LoadTestReport, QtestsReport, WorkersReport } from './schema.js'

// Pure: report.json shaped into the columns the page's charts and table draw (uPlot takes one x array and one
// array per series). Times in seconds since the run started, memory in MiB.

const MIB = 1024 ** 2

/** Memory of each worker lane over time: a lane is a slot that runs one file after another. */
export interface MemoryChart {
  /** what the lanes show: forked workers' RSS, thread workers' heap (threads share their process's RSS), or both */
  measure: 'RSS' | 'heap' | 'RSS and heap'
  x: number[]
  lanes: { label: string; mib: (number | null)[] }[]
  /** a file started on a lane */
  boundaries: { x: number; lane: number; file: string }[]
  /** a leaking or suspect file, where it ended on its lane */
  markers: { x: number; lane: number; mib: number; file: string; verdict: LeakVerdict }[]
}

export interface ScalingChart {
  x: number[]
  limit: number[]
  running: number[]
  rssMib: (number | null)[]
  budgetMib: number | null
}

export interface FileRow {
  file: string
  project: string | null
  verdict: LeakVerdict
  durationMs: number | null
  peakRssBytes: number | null
  retainedBytes: number
  eventLoopMaxMs: number | null
  /** the longest stalls with the test that ran longest in each, as the cell's tooltip says it */
  eventLoopNote: string | null
}

export interface LoadChart {
  title: string
  x: number[]
  p50Ms: number[]
  p99Ms: number[]
  requestsPerSecond: number[]
  modeSwitches: { x: number; mode: string; reason: string }[]
}

export interface RunCharts {
  memory: MemoryChart | null
  scaling: ScalingChart | null
  files: FileRow[]
  load: LoadChart[]
}

export function runCharts(report: QtestsReport): RunCharts {
  return {
    memory: memoryChart(report.files, report.workers),
    scaling: scalingChart(report.workers),
    files: fileRows(report.files),
    load: (report.loadTests ?? []).map(loadChart),
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits
const seconds = (ms: number) => round(ms / 1000, 3)
const mib = (bytes: number) => round(bytes / MIB, 1)

interface Run {
  /** its worker: `p<pid>` for a process, `t<id>` for a thread */
  worker: string
  file: FileReport
  startMs: number
  endMs: number
}

type Samples = readonly { t: number; bytes: number }[]

/**
 * Lanes from the files' runs: a run takes the first lane free at its start (the same worker, or one whose last
 * file ended), so a lane reads as one worker slot with its files one after another. Each lane's memory is its
 * workers' samples (a process's RSS, a thread's heap), interpolated at the other lanes' sample times and null
 * between its files.
 */
export function memoryChart(files: readonly FileReport[], workers: WorkersReport): MemoryChart | null {
  const samplesOf = new Map<string, Samples>()
  for (const worker of workers.workerMemory ?? [])
    samplesOf.set(
      `p${worker.pid}`,
      worker.samples.map((sample) => ({ t: sample.t, bytes: sample.rssBytes })),
    )
  for (const thread of workers.threadMemory ?? [])
    samplesOf.set(
      `t${thread.thread}`,
      thread.samples.map((sample) => ({ t: sample.t, bytes: sample.heapBytes })),
    )
  const runs: Run[] = []
  for (const file of files) {
    if (file.startMs === undefined || file.durationMs === undefined) continue
    const worker =
      typeof file.worker === 'number' ? `p${file.worker}` : file.thread !== undefined ? `t${file.thread}` : null
    if (worker === null || !samplesOf.has(worker)) continue
    runs.push({ worker, file, startMs: file.startMs, endMs: file.startMs + file.durationMs })
  }
  if (runs.length === 0) return null
  runs.sort((a, b) => a.startMs - b.startMs || a.file.file.localeCompare(b.file.file))

  const lanes: { runs: Run[] }[] = []
  for (const run of runs) {
    const lane =
      lanes.find((l) => l.runs.at(-1)!.worker === run.worker) ?? lanes.find((l) => l.runs.at(-1)!.endMs <= run.startMs)
    if (lane) lane.runs.push(run)
    else lanes.push({ runs: [run] })
  }

  const times = new Set<number>()
  for (const run of runs) {
    times.add(run.startMs)
    times.add(run.endMs)
    for (const sample of samplesOf.get(run.worker)!)
      if (sample.t >= run.startMs && sample.t <= run.endMs) times.add(sample.t)
  }
  const xMs = [...times].sort((a, b) => a - b)

  const laneValues = lanes.map((lane) =>
    xMs.map((t) => {
      const run = lane.runs.find((r) => t >= r.startMs && t <= r.endMs)
      if (!run) return null
      const value = bytesAt(samplesOf.get(run.worker)!, t)
      return value === null ? null : mib(value)
    }),
  )

  const laneOf = new Map(lanes.flatMap((lane, index) => lane.runs.map((run) => [run, index] as const)))
  const boundaries = runs.map((run) => ({ x: seconds(run.startMs), lane: laneOf.get(run)!, file: run.file.file }))
  const markers: MemoryChart['markers'] = []
  for (const run of runs) {
    const { verdict } = run.file
    if (verdict !== 'leak' && verdict !== 'suspect') continue
    const bytes = bytesAt(samplesOf.get(run.worker)!, run.endMs)
    if (bytes !== null)
      markers.push({ x: seconds(run.endMs), lane: laneOf.get(run)!, mib: mib(bytes), file: run.file.file, verdict })
  }

  const processes = runs.some((run) => run.worker.startsWith('p'))
  const threads = runs.some((run) => run.worker.startsWith('t'))
  return {
    measure: processes && threads ? 'RSS and heap' : threads ? 'heap' : 'RSS',
    x: xMs.map(seconds),
    lanes: laneValues.map((values, index) => ({ label: `worker ${index + 1}`, mib: values })),
    boundaries,
    markers,
  }
}

/** Bytes at `t` from samples sorted by time: linear between the two around it, the nearest one outside them. */
export function bytesAt(samples: Samples, t: number): number | null {
  if (samples.length === 0) return null
  const after = samples.findIndex((sample) => sample.t >= t)
  if (after === -1) return samples.at(-1)!.bytes
  if (after === 0 || samples[after]!.t === t) return samples[after]!.bytes
  const a = samples[after - 1]!
  const b = samples[after]!
  return a.bytes + ((b.bytes - a.bytes) * (t - a.t)) / (b.t - a.t)
}

export function scalingChart(workers: WorkersReport): ScalingChart | null {
  if (workers.timeline.length === 0) return null
  const hasRss = workers.timeline.some((point) => point.rssBytes !== null)
  return {
    x: workers.timeline.map((point) => seconds(point.t)),
    limit: workers.timeline.map((point) => point.limit),
    running: workers.timeline.map((point) => point.running),
    rssMib: workers.timeline.map((point) => (hasRss && point.rssBytes !== null ? mib(point.rssBytes) : null)),
    budgetMib: workers.memoryBudgetBytes ? mib(workers.memoryBudgetBytes) : null,
  }
}

export function fileRows(files: readonly FileReport[]): FileRow[] {
  return files.map((file) => ({
    file: file.file,
    project: file.project,
    verdict: file.verdict,
    durationMs: file.durationMs ?? null,
    peakRssBytes: file.peakRssBytes ?? null,
    retainedBytes: file.retainedBytes,
    eventLoopMaxMs: file.eventLoop?.maxDelayMs ?? null,
    eventLoopNote: stallNote(file.eventLoop),
  }))
}

function stallNote(loop: FileReport['eventLoop']): string | null {
  if (!loop || loop.maxDelayMs <= 0) return null
  const stalls = loop.stalls?.length ? loop.stalls : [{ ms: loop.maxDelayMs, test: loop.test }]
  const each = stalls.map(
    (stall) => `${Math.round(stall.ms)} ms ${stall.test ? `during ${stall.test}` : 'between tests'}`,
  )
  return `${stalls.length > 1 ? 'longest stalls' : 'longest stall'}: ${each.join('; ')}`
}

export function loadChart(load: LoadTestReport): LoadChart {
  const { result } = load
  return {
    title: `${load.test} — ${result.target}`,
    x: result.timeline.map((point) => seconds(point.atMs)),
    p50Ms: result.timeline.map((point) => round(point.latencyMs.p50, 2)),
    p99Ms: result.timeline.map((point) => round(point.latencyMs.p99, 2)),
    // Each point covers one second, so its request count is its rate.
    requestsPerSecond: result.timeline.map((point) => point.requests),
    modeSwitches: result.modes
      .filter((change) => change.reason !== 'start')
      .map((change) => ({ x: seconds(change.atMs), mode: change.mode, reason: change.reason })),
  }
}
