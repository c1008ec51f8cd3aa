import type { LeakVerdict } from '@qtests/core'
import type { AllocationSiteMeta, LeakMode } from '../shared/protocol.js'

// report.json, schemaVersion 1 (see the contract). Fields beyond the contract's minimum are marked.

export interface TestReport {
  /** exactly Vitest's TestCase.fullName */
  name: string
  verdict: LeakVerdict
  /** hunt: post-GC growth per run of the test; null in measure mode or when not measured */
  bytesPerIteration: number | null
  confidence: number
  /** runs measured (hunt), 1 in measure mode, 0 when the test did not run */
  iterations: number
  /** (addition) why the verdict, in one sentence */
  reason: string
  /** (addition) hunt: post-GC bytes after each iteration */
  samples?: number[]
  /** (addition) hunt, leak and suspect tests: where what stayed alive was allocated, heaviest first */
  allocationSites?: AllocationSiteReport[]
}

export type AllocationSiteReport = AllocationSiteMeta

export interface FileReport {
  /** POSIX path relative to the Vitest root */
  file: string
  project: string | null
  verdict: LeakVerdict
  retainedBytes: number
  growthBytesPerTest: number | null
  confidence: number
  tests: TestReport[]
  /** (addition) why the verdict, in one sentence */
  reason: string
  /** (addition) the file's outcome in Vitest */
  state: 'passed' | 'failed' | 'skipped' | 'pending' | 'queued'
  /** (addition) measure: post-GC bytes and the test index after which each was taken */
  samples?: { atTest: number; bytes: number }[]
  /** (addition) full GCs forced in this file, and the time all forced GCs (young ones included) took */
  probe?: { gcCount: number; gcMs: number; error?: string }
}

export interface WorkersReport {
  adaptive: boolean
  min: number
  max: number
  peakConcurrency: number
  timeline: { t: number; running: number; limit: number; rssBytes: number | null }[]
  retries: { file: string; reason: string }[]
}

export interface QtestsReport {
  schemaVersion: 1
  tool: { name: 'qtests'; version: string }
  mode: LeakMode
  startedAt: string
  durationMs: number
  /** (addition) how the run ended in Vitest */
  outcome: 'passed' | 'failed' | 'interrupted'
  /** (addition) the settings the verdicts depend on */
  settings: { iterations: number | null; minBytesPerIteration: number; minBytesPerTest: number }
  summary: { files: number; leak: number; suspect: number; clean: number; unknown: number }
  files: FileReport[]
  workers: WorkersReport
}
