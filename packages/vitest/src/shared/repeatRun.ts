// The seam between the user's Vitest process and the repeat run it starts (a second Vitest, in a child
// process): what the child is asked to do and what it sends back over the IPC channel; how its time limits are said.

import type { FileProbeMeta, TestProbeMeta } from './protocol.js'

/** Set in the child's environment: the plugin there configures the repeat run instead of a user's run. */
export const REPEAT_RUN_ENV = 'QTESTS_REPEAT_RUN'

/** Where the child finds its job once it arrived (set before the child creates its Vitest). */
export const REPEAT_JOB_KEY = Symbol.for('@qtests/vitest repeat-run job')

export type RepeatPurpose = 'hunt' | 'confirm'

export interface RepeatJob {
  /** `hunt`: every file that ran; `confirm`: measure mode's growing files, to tell a leak from first-run growth */
  purpose: RepeatPurpose
  /** `vitest/node` as the user's run resolved it: the child must run the same Vitest */
  vitestNodeUrl: string
  root: string
  /** the config file the user's run loaded; false when it ran without one */
  configFile: string | false
  /** the user's CLI options, minus what would write files or print (reporters, coverage, snapshots, watch) */
  cliOptions: Record<string, unknown>
  files: { project: string; moduleId: string }[]
  /** more files follow in `more` commands until an `end` command (measure mode confirming files while the user's run goes on) */
  more?: boolean
  /** hunt settings, as the plugin resolved them in the user's run */
  iterations: number
  maxRuns: number
  confirmMaxMs: number
  /** confirm: stop a file's repeats once one of its tests is a confirmed leak (the rest is not needed to say so) */
  stopAtFirstLeak: boolean
  /** confirm: growth per run under which the windows find no leak (see confirmFloorBytes) */
  confirmFloorBytes?: number
  /** confirm: growth per run under which the quick clear clears a test (see quickClearBytes) */
  quickClearBytes?: number
}

export interface RepeatedTest {
  id: string
  /** Vitest's TestCase.fullName */
  name: string
  probe?: TestProbeMeta
}

export interface RepeatedFile {
  project: string
  moduleId: string
  /** the file's state in the repeat run (its tests' outcomes there are nobody's: runs are measured failing or not) */
  state: string
  /** why the whole file could not be measured (an error while collecting it, a crash) */
  error?: string
  probe?: FileProbeMeta
  tests: RepeatedTest[]
}

/** Commands to the child after its job, when the job said `more`: files to add, then the end of them. */
export type RepeatCommand = { type: 'more'; files: RepeatJob['files'] } | { type: 'end' }

/** Messages from the child, in order: a `file` per finished test file, then `done` (or the child dies). */
export type RepeatMessage =
  /** its Vitest is created: a time limit counts from here, not from the 1–3 s of starting it */
  | { type: 'ready' }
  | { type: 'file'; file: RepeatedFile }
  | { type: 'done'; unhandledErrors: string[] }
  | { type: 'failed'; error: string }

/** What the repeat run measured, once its process is gone (`repeatRun/startRepeatRun.ts`). */
export interface RepeatRunResult {
  /** each file it finished, in the order they finished */
  files: RepeatedFile[]
  /** every file ran to its end */
  complete: boolean
  /** why the repeat run ended before its files did, in words for a reason field */
  ended?: string
  /** it ended because its time limit was up */
  timedOut?: boolean
  /** it never started (`ended` says why, as a whole reason) */
  notStarted?: boolean
  unhandledErrors: string[]
  durationMs: number
}

/**
 * '40 ms' under 0.1 s, '2.4 s' under 10 s, '95 s' from there: the repeat run's time limits, a few seconds (or a few
 * ms, a small budget of a short run) when a short run sets them.
 */
export function formatSeconds(ms: number): string {
  if (ms < 95) return `${Math.round(ms)} ms`
  return ms < 9_950 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`
}
