import { type ChildProcess, fork } from 'node:child_process'
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  formatSeconds,
  REPEAT_RUN_ENV,
  type RepeatCommand,
  type RepeatedFile,
  type RepeatJob,
  type RepeatMessage,
  type RepeatRunResult,
} from '../shared/repeatRun.js'

const childEntry = fileURLToPath(new URL('./child.js', import.meta.url))

// Started while the user's run goes on, the repeat run takes the cores that run leaves idle at a lower CPU weight.
const ALONGSIDE_NICENESS = 10

// With a time limit, how long the repeat run's Vitest may take to start (load the config, create the server).
const STARTUP_LIMIT_MS = 60_000

// After SIGTERM, how long the repeat run's process group gets before SIGKILL.
const STOP_GRACE_MS = 3000

/** How long the repeat run may take, ms, and where that comes from, for the reason when it is reached. */
export interface TimeLimit {
  ms: number
  /** e.g. `leaks.confirmBudget 0.05 of your run's 47 s` */
  source?: string
}

export interface RepeatRunOptions {
  job: RepeatJob
  /** where the child's own output goes (Vitest's errors, a crash): the repeat run prints nothing */
  logFile: string
  /** stops the repeat run; what finished so far is kept */
  signal?: AbortSignal
  /**
   * stops the repeat run: from when its Vitest is ready (with `job.more`: or from `end()`, if later). Its Vitest gets
   * STARTUP_LIMIT_MS, or the limit if longer, to be ready.
   */
  timeLimit?: TimeLimit
  /** each finished file, as it comes */
  onFile?: (file: RepeatedFile) => void
}

// The environment `vitest` was started with, taken when the config imports the plugin: Vite and Vitest then set
// MODE, DEV, PROD and BASE_URL in this process, and a config that reads them must see in the repeat run what it saw.
const launchEnv: NodeJS.ProcessEnv = { ...process.env }

/** A file sent twice (it should not be) is kept once, the last word. */
function fileKey(file: RepeatedFile): string {
  return `${file.project}\0${file.moduleId}`
}

/** Command-line flags of this process the child keeps: not a debugger's (its port is taken). */
export function childExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((arg) => !/^--(inspect|debug)/.test(arg))
}

// Options of the user's run that would print, write files, watch or pick other files in the repeat run.
const NOT_REPEATED = new Set([
  'reporters',
  'reporter',
  'outputFile',
  'coverage',
  'update',
  'watch',
  'run',
  'ui',
  'open',
  'api',
  'browser',
  'shard',
  'changed',
  'related',
  'bail',
  'mergeReports',
  'standalone',
  'listTags',
  'clearCache',
  'typecheck',
  'silent',
  'inspect',
  'inspectBrk',
  'config',
  'root',
  'cache',
  'retry',
])

/** The user's CLI options as the repeat run takes them: plain data, without what `NOT_REPEATED` lists. */
export function repeatedCliOptions(cliOptions: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(cliOptions ?? {})) {
    if (NOT_REPEATED.has(key) || value === undefined) continue
    try {
      kept[key] = JSON.parse(JSON.stringify(value))
    } catch {
      // not plain data (a programmatic caller's object): the config file's value applies
    }
  }
  return kept
}

/** A repeat run under way whose job said `more`: files are added as the user's run finds them. */
export interface RepeatRunHandle {
  /** runs these files too, after those it has */
  add(files: RepeatJob['files']): void
  /** no more files come; the time limit, if any, counts from now (or from when its Vitest is ready, if later) */
  end(timeLimit?: TimeLimit): void
  /** stops it now; what it finished is kept */
  stop(why: string): void
  /** resolves when the child is gone, whatever the reason; never rejects */
  result: Promise<RepeatRunResult>
}

/**
 * Runs `job.files` again in a second Vitest, in a child process of its own group, and collects what its probes
 * recorded (`result`); with `job.more` it also waits for `add()`ed files until `end()`.
 */
export function startRepeatRun(options: RepeatRunOptions): RepeatRunHandle {
  const started = Date.now()
  const files = new Map<string, RepeatedFile>()
  const unhandledErrors: string[] = []
  let ended: string | undefined
  let done = false
  let child: ChildProcess
  try {
    mkdirSync(path.dirname(options.logFile), { recursive: true })
    child = fork(childEntry, [], {
      execArgv: childExecArgv(process.execArgv),
      env: { ...launchEnv, [REPEAT_RUN_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: stopping it stops Vitest's workers under it too.
      detached: true,
    })
  } catch (error) {
    return {
      add() {},
      end() {},
      stop() {},
      result: Promise.resolve({
        files: [],
        complete: false,
        ended: `could not start: ${(error as Error).message}`,
        unhandledErrors,
        durationMs: 0,
      }),
    }
  }
  // Alongside the user's run, the repeat run's session (it is detached) gets a lower CPU weight: see autogroupNice.
  const alongside = options.job.more === true && autogroupNice(child.pid, ALONGSIDE_NICENESS)
  const log = createWriteStream(options.logFile)
  log.on('error', () => {})
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)

  let killTimer: NodeJS.Timeout | undefined
  let timedOut = false
  const stop = (why: string) => {
    if (ended || done) return
    ended = why
    signalGroup(child, 'SIGTERM')
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS)
    killTimer.unref()
  }
  const onAbort = () => stop(describeReason(options.signal?.reason))
  // This process may exit before the child does (a second Ctrl-C, Vitest's own exit): nothing of the repeat run outlives it.
  const onExit = () => signalGroup(child, 'SIGKILL')
  process.once('exit', onExit)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  // Stopped before it started (Ctrl-C while the user's run ended): 'abort' will not fire again.
  if (options.signal?.aborted) onAbort()
  // The limit counts the repeat run's work, not its start-up (1–3 s, 5% of a minute's run): it starts once the time
  // limit is given and the child's Vitest is ready, whichever comes last.
  let limit: NodeJS.Timeout | undefined
  let ready = false
  let given: TimeLimit | undefined
  const armLimit = () => {
    if (!given || limit) return
    const { ms, source } = given
    limit = ready
      ? setTimeout(() => {
          timedOut = !ended && !done
          stop(`it ran out of its ${formatSeconds(ms)}${source ? ` (${source})` : ''}`)
        }, ms)
      : setTimeout(
          () => stop(`its Vitest did not start within ${formatSeconds(Math.max(STARTUP_LIMIT_MS, ms))}`),
          Math.max(STARTUP_LIMIT_MS, ms),
        )
  }
  const startLimit = (timeLimit: TimeLimit | undefined) => {
    if (!timeLimit || given) return
    given = timeLimit
    armLimit()
  }
  if (!options.job.more) startLimit(options.timeLimit)
  const command = (message: RepeatCommand) => {
    if (child.connected && !ended)
      child.send(message, (error) => error && stop(`it could not be sent files: ${error.message}`))
  }

  child.on('message', (data) => {
    const message = data as RepeatMessage
    if (message?.type === 'ready') {
      ready = true
      // the start-up limit gives way to the time limit itself
      if (limit) clearTimeout(limit)
      limit = undefined
      armLimit()
    } else if (message?.type === 'file') {
      files.set(fileKey(message.file), message.file)
      options.onFile?.(message.file)
    } else if (message?.type === 'done') {
      done = true
      unhandledErrors.push(...message.unhandledErrors)
    } else if (message?.type === 'failed') {
      ended ??= `it failed: ${message.error}`
    }
  })

  const result = new Promise<RepeatRunResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (limit) clearTimeout(limit)
      if (killTimer) clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      process.off('exit', onExit)
      // Workers of a killed Vitest may linger in the group: nothing of the repeat run outlives it.
      signalGroup(child, 'SIGKILL')
      if (!done && !ended)
        ended = signal
          ? `its process was killed by ${signal}`
          : `its process exited with code ${code} (see ${options.logFile})`
      log.end()
      resolve({
        files: [...files.values()],
        complete: done && !ended,
        ended,
        ...(timedOut && { timedOut }),
        unhandledErrors,
        durationMs: Date.now() - started,
      })
    }
    // Messages sent just before the child exited may still be on their way: the channel's end comes after them.
    child.once('exit', (code, signal) => {
      if (!child.connected) return finish(code, signal)
      const timer = setTimeout(() => finish(code, signal), 1000)
      child.once('disconnect', () => {
        clearTimeout(timer)
        finish(code, signal)
      })
    })
    child.once('error', (error) => {
      ended ??= `could not start: ${error.message}`
    })
    if (child.connected) child.send(options.job)
  })
  return {
    add: (files) => {
      if (files.length) command({ type: 'more', files })
    },
    end: (timeLimit) => {
      // The user's run is over: the repeat run has the machine, at the weight of any other session.
      if (alongside) autogroupNice(child.pid, 0)
      command({ type: 'end' })
      startLimit(timeLimit ?? options.timeLimit)
    },
    stop,
    result,
  }
}

/**
 * Linux groups CPU time by session (autogroup, on by default): a process's own niceness only counts within its
 * session, so a detached child is niced through its session's group. Raising it back to 0 needs no privilege
 * (a process's own niceness could not be lowered again). False where there is no such group.
 */
function autogroupNice(pid: number | undefined, nice: number): boolean {
  if (pid === undefined || process.platform !== 'linux') return false
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice))
    return true
  } catch {
    return false
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

function describeReason(reason: unknown): string {
  if (typeof reason === 'string') return reason
  if (reason instanceof Error) return reason.message
  return 'it was stopped'
}
