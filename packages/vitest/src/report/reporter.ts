import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { inCI } from '@qtests/core/env'
import {
  type CleanHistory,
  ContentStamps,
  cleanHistoryPath,
  clearedEarlier,
  failedRepeatsEarlier,
  loadCleanHistory,
  type MeasuredFile,
  recordRun,
  saveCleanHistory,
  type VerdictContext,
  verdictSettings,
} from '../cache/cleanVerdicts.js'
import { writeFileAtomic, writeFileAtomicSync } from '../cache/writeFileAtomic.js'
import { CONFIRM_MAX_MS, maxRuns } from '../repeatRun/plan.js'
import {
  type RepeatRunHandle,
  repeatedCliOptions,
  startRepeatRun,
  type TimeLimit,
} from '../repeatRun/startRepeatRun.js'
import {
  CONFIRM_ITERATIONS,
  confirmBudgetFor,
  confirmationOrder,
  confirmFloorBytes,
  quickClearBytes,
  confirmTimeLimitMs,
  nextRunConfirmsMore,
  unreachedReason,
} from '../shared/measureRules.js'
import { EVENT_LOOP_META_KEY, type FileProbeMeta, META_KEY, majorOf, type TestProbeMeta } from '../shared/protocol.js'
import type { ResolvedOptions } from '../shared/options.js'
import { formatSeconds, type RepeatedFile, type RepeatJob, type RepeatRunResult } from '../shared/repeatRun.js'
import type { WorkerScalingRecord } from '../shared/workerScalingSnapshot.js'
import { renderHtmlReport } from './html.js'
import { MainProcessWatch } from './mainProcess.js'
import { documentOnStdout } from './output.js'
import { attachFileTimings, type FileTiming, thinSamples } from './runTimeline.js'
import type { FileReport, LoadTestReport, QtestsReport, WorkersReport } from './schema.js'
import { formatTerminalSection, type TerminalStyle } from './terminal.js'
import {
  type FileInput,
  fileVerdict,
  repeatRunError,
  type StoredLeak,
  storedLeak,
  type TestInput,
  type VerdictSettings,
} from './verdicts.js'

const toolVersion: string = (() => {
  try {
    const manifest = new URL('../../package.json', import.meta.url)
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
})()

/** `vitest/node` as this process resolves it: the repeat run must load the very same Vitest. */
const vitestNodeUrl = import.meta.resolve('vitest/node')

/** What the user's run ended with; the report is built from it once the repeat run (if any) is over. */
interface EndedRun {
  modules: ReadonlyArray<TestModule>
  reason: TestRunEndReason
  unhandledErrors: number
  /** files the repeat run is to measure, none when it is not needed */
  repeat: RepeatJob['files']
  /** measure: the report the plan was made from — the final one when nothing is repeated */
  planned?: QtestsReport
}

/** A repeat run under way and the files it finished so far. */
interface RunningRepeat {
  handle: RepeatRunHandle
  files: RepeatedFile[]
}

/** The repeat run started while the user's run goes on, and the files sent to it (`fileKey(project, moduleId)`). */
interface EarlyRepeatRun extends RunningRepeat {
  sent: Set<string>
}

/** What the reporter needs from the plugin and the pool, handed in by `plugin/qtests.ts`: report/ imports neither. */
export interface ReporterContext {
  /** adaptive workers' bookkeeping; undefined when they are off */
  scaling?: WorkerScalingRecord
  /** where reports and the caches beside them go, for this Vitest root */
  reportDir(root: string): string
  /** the number of workers plain Vitest runs, for the report when adaptive workers are off */
  defaultWorkers(vitest: Vitest): number
  /** the options the user gave on the command line, for the repeat run */
  cliOptions(vitest: Vitest): Record<string, unknown>
  /** what a project's measure verdicts depend on besides their files (the clean-verdict cache's key) */
  verdictContext(vitest: Vitest, project: string): VerdictContext
  /**
   * measure, `vitest run`: whether growing files may be confirmed while the user's run goes on (a second Vitest
   * beside it), or only once it is over
   */
  confirmDuringRun(vitest: Vitest): boolean
}

/**
 * Main-process side: collects what the worker probes recorded, decides verdicts, prints the terminal
 * section after Vitest's summary and writes the reports — on every run end, failed or interrupted too.
 *
 * hunt mode, and measure mode when a file grew: the tests are run again in the repeat run (a second Vitest
 * in a child process, see repeatRun/) once the user's run is over — after its globalSetup teardown when it
 * is not watching — and the verdicts wait for it. measure mode in `vitest run`, where files may run side by
 * side: each growing file is sent to the repeat run as soon as it ends (`confirmDuringRun`); with
 * `leaks.confirmBudget` only its Vitest starts then, and the files wait for the run's end.
 */
export class QtestsReporter implements Reporter {
  #vitest: Vitest | undefined
  /** Plain Vitest's worker count, for the report when adaptive workers are off; fixed once Vitest starts. */
  #plainMaxWorkers = 1
  #startedAt = new Date()
  /** measure: what earlier runs' confirmation found, read once per run (the history is rewritten at its end) */
  #earlier: EarlierLookup | undefined
  #running = 0
  #timeline: WorkersReport['timeline'] = []
  #peak = 0
  /** modules of the run under way, so an interrupted run still has something to report */
  #modules = new Map<string, TestModule>()
  /** when each file started and ended in this run, for the report when adaptive workers are off */
  #moduleTimes = new Map<TestModule, { startMs: number; endMs: number }>()
  #runOpen = false
  /** a run that ended and waits for the repeat run (run mode: until Vitest closes) */
  #waiting: EndedRun | undefined
  /** what the repeat run sent so far, for a report written while it goes on */
  #repeated: RepeatRunResult | undefined
  #repeatStop = new AbortController()
  /**
   * measure, decided at the run's start: `start`, the repeat run may start (its Vitest created) once a file grew;
   * `send`, growing files go to it as they end, confirmed while the run goes on
   */
  #duringRun = { start: false, send: false }
  /** measure, decided at the run's start: `leaks.confirmBudget`, or its default for this run (see confirmBudgetFor) */
  #confirm: ReturnType<typeof confirmBudgetFor> = { budget: undefined, defaultedInCI: false }
  /** measure: the confirmation budget the repeat run ran out of */
  #budgetRanOut: { ms: number; source: string } | undefined
  /** the repeat run started during the user's run, and the files sent to it */
  #early: EarlyRepeatRun | undefined
  /** the progress line's tick, once the user's run waits for the repeat run */
  #onRepeatedFile: (() => void) | undefined
  #stdoutIsDocument = false

  private readonly scaling: WorkerScalingRecord | undefined
  /** Vitest's main process during the user's run (the report's `mainProcess`) */
  readonly #mainProcess: MainProcessWatch

  constructor(
    private readonly options: ResolvedOptions,
    private readonly context: ReporterContext,
  ) {
    this.scaling = context.scaling
    this.#mainProcess = new MainProcessWatch(options.sampling, (message) =>
      this.#vitest?.logger.error(` qtests  ${message}`),
    )
  }

  onInit(vitest: Vitest) {
    this.#vitest = vitest
    this.#plainMaxWorkers = this.context.defaultWorkers(vitest)
    this.#stdoutIsDocument = documentOnStdout(vitest.config, majorOf(vitest.version))
    // `vitest run` exits on SIGINT/SIGTERM (or a crashed worker) without ending the run for reporters;
    // the `exit` event still comes, and a synchronous write there keeps the report promise.
    process.once('exit', () => this.#writeInterrupted())
    // Vitest tears down globalSetup first, then calls these: a repeat run then has the machine to itself.
    vitest.onClose(() => this.#finishWaiting())
  }

  onTestRunStart() {
    this.#startedAt = new Date()
    this.#mainProcess.start()
    this.#running = 0
    this.#peak = 0
    this.#timeline = []
    this.#modules.clear()
    this.#moduleTimes.clear()
    this.#runOpen = true
    this.#repeated = undefined
    this.#budgetRanOut = undefined
    this.#earlier = undefined
    this.#early = undefined
    const vitest = this.#vitest
    try {
      const { confirmBudget, reuseClean } = this.options.leaks
      const cached = reuseClean && existsSync(cleanHistoryPath(this.#reportDir()))
      this.#confirm = confirmBudgetFor({ set: confirmBudget, ci: inCI(), cached })
    } catch {
      this.#confirm = { budget: this.options.leaks.confirmBudget, defaultedInCI: false }
    }
    try {
      const alongside =
        this.options.leaks.mode === 'measure' &&
        vitest !== undefined &&
        !vitest.config.watch &&
        this.context.confirmDuringRun(vitest)
      // With leaks.confirmBudget the user bounds the time confirmation adds. Repeats beside the run slow it (zod on
      // two vCPUs: 43 → 54 s), which no budget can count: they wait for its end, their Vitest started (unless 0).
      const { budget } = this.#confirm
      this.#duringRun = { start: alongside && budget !== 0, send: alongside && budget === undefined }
    } catch {
      this.#duringRun = { start: false, send: false }
    }
    this.scaling?.runStarted()
  }

  onTestModuleStart(module: TestModule) {
    this.#modules.set(module.moduleId, module)
    const now = Date.now() - this.#startedAt.getTime()
    this.#moduleTimes.set(module, { startMs: now, endMs: now })
    this.#running++
    this.#peak = Math.max(this.#peak, this.#running)
    this.#mark()
  }

  onTestModuleEnd(module: TestModule) {
    const times = this.#moduleTimes.get(module)
    if (times) times.endMs = Date.now() - this.#startedAt.getTime()
    this.#running = Math.max(0, this.#running - 1)
    this.#mark()
    if (this.#duringRun.start) {
      try {
        this.#confirmNow(module)
      } catch (error) {
        // Confirmation then waits for the run's end, as it does where it cannot go alongside.
        const what = this.#duringRun.send ? `confirm ${module.moduleId}` : 'start confirmation'
        this.#duringRun = { start: false, send: false }
        this.#vitest?.logger.error(
          ` qtests  could not ${what} during the run (it will be after it): ${(error as Error)?.message ?? error}`,
        )
      }
    }
  }

  /**
   * measure: a file that grew goes to the repeat run as soon as it ends, so that confirming it overlaps the rest of
   * the user's run (whose Vitest leaves a core to its main process) instead of adding to its end. With a confirmation
   * budget only the repeat run's Vitest starts then; the files wait for the run's end.
   */
  #confirmNow(module: TestModule) {
    if ((this.#early && !this.#duringRun.send) || !repeatable(module)) return
    const vitest = this.#vitest!
    const root = vitest.config.root
    const file = fileVerdict(
      toFileInput(module, root, undefined, 'passed', false, this.#earlierLookup()),
      this.#verdictSettings(),
    )
    if (!grewInRun(file)) return
    const entry = { project: module.project.name || '', moduleId: module.moduleId }
    this.#early ??= { ...this.#startRepeat([], true), sent: new Set() }
    if (!this.#duringRun.send) return
    this.#early.sent.add(fileKey(entry.project, entry.moduleId))
    this.#early.handle.add([entry])
  }

  /** Starts the repeat run on `files` (`more`: others follow); what it finishes is collected as it comes. */
  #startRepeat(files: RepeatJob['files'], more: boolean, timeLimit?: TimeLimit): RunningRepeat {
    const finished: RepeatedFile[] = []
    const handle = startRepeatRun({
      job: this.#repeatJob(files, more),
      logFile: path.join(this.#reportDir(), 'repeat-run.log'),
      signal: this.#repeatStop.signal,
      timeLimit,
      onFile: (file) => {
        finished.push(file)
        this.#onRepeatedFile?.()
      },
    })
    return { handle, files: finished }
  }

  #mark() {
    this.#timeline.push({
      t: Date.now() - this.#startedAt.getTime(),
      running: this.#running,
      limit: this.#plainMaxWorkers,
      rssBytes: null,
    })
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>, reason: TestRunEndReason) {
    const vitest = this.#vitest
    if (!vitest) return
    this.#mainProcess.stop()
    try {
      this.scaling?.runEnded()
    } catch (error) {
      vitest.logger.error(
        ` qtests  could not finish worker scaling's bookkeeping: ${(error as Error)?.message ?? error}`,
      )
    }
    const run: EndedRun = { modules: testModules, reason, unhandledErrors: errors.length, repeat: [] }
    try {
      run.repeat = this.#filesToRepeat(run)
    } catch (error) {
      vitest.logger.error(` qtests  could not plan the repeat run: ${(error as Error)?.message ?? error}`)
    }
    if (run.repeat.length === 0) {
      // Nothing left to confirm (an interrupted run): a repeat run started during it has no one to report to.
      this.#early?.handle.stop(run.reason === 'interrupted' ? 'it was interrupted' : 'it was not needed')
      this.#early = undefined
      this.#runOpen = false
      return this.#finish(run)
    }
    // A report now, in case the process does not live to the end of the repeat run.
    await this.#write(this.#safeReport(run)).catch(() => {})
    if (vitest.config.watch) {
      const repeated = await this.#repeat(run)
      this.#runOpen = false
      return this.#finish(this.#repeatStop.signal.aborted ? { ...run, reason: 'interrupted' } : run, repeated)
    }
    this.#waiting = run
  }

  async #finishWaiting() {
    const run = this.#waiting
    if (!run) return
    this.#waiting = undefined
    const repeated = await this.#repeat(run)
    this.#runOpen = false
    await this.#finish(this.#repeatStop.signal.aborted ? { ...run, reason: 'interrupted' } : run, repeated)
  }

  /** hunt: every file that ran; measure: the files whose memory grew, to confirm or clear them. */
  #filesToRepeat(run: EndedRun): RepeatJob['files'] {
    const { mode } = this.options.leaks
    if (mode === 'off' || run.reason === 'interrupted') return []
    const ran = run.modules.filter(repeatable)
    if (mode === 'hunt') return ran.map((module) => ({ project: module.project.name || '', moduleId: module.moduleId }))
    const report = this.buildReport(run)
    run.planned = report
    const growing = new Set(report.files.filter(grewInRun).map((file) => fileKey(file.project, file.file)))
    const root = this.#vitest!.config.root
    const files = ran
      .filter((module) => growing.has(fileKey(module.project.name || null, relativeToRoot(root, module.moduleId))))
      .map((module) => ({
        project: module.project.name || '',
        moduleId: module.moduleId,
        tests: [...module.children.allTests()].length,
        durationMs: module.diagnostic().duration,
      }))
    // The repeat run keeps this order: Vitest sorts by file sizes and past durations, and knows neither there.
    return confirmationOrder(files).map(({ project, moduleId }) => ({ project, moduleId }))
  }

  /** What the repeat run is asked to do; `more`: files follow as the user's run finds them. */
  #repeatJob(files: RepeatJob['files'], more: boolean): RepeatJob {
    const vitest = this.#vitest!
    const { leaks } = this.options
    const purpose = leaks.mode === 'hunt' ? 'hunt' : 'confirm'
    // Confirming needs only to tell growth that repeats from growth that does not: a shorter first window.
    const iterations = purpose === 'confirm' ? Math.min(leaks.iterations, CONFIRM_ITERATIONS) : leaks.iterations
    return {
      purpose,
      vitestNodeUrl,
      root: vitest.config.root,
      configFile: vitest.vite.config.configFile ?? false,
      cliOptions: repeatedCliOptions(this.context.cliOptions(vitest)),
      files,
      more,
      iterations,
      maxRuns: maxRuns(iterations),
      confirmMaxMs: CONFIRM_MAX_MS,
      stopAtFirstLeak: purpose === 'confirm',
      ...(purpose === 'confirm'
        ? {
            confirmFloorBytes: confirmFloorBytes(leaks.minBytesPerTest),
            quickClearBytes: quickClearBytes(leaks.minBytesPerTest),
          }
        : {}),
    }
  }

  async #repeat(run: EndedRun): Promise<RepeatRunResult> {
    const waitedFrom = Date.now()
    const purpose = this.options.leaks.mode === 'hunt' ? 'hunt' : 'confirm'
    const early = this.#early
    const say = (line: string) => this.#say(line)
    const total = run.repeat.length
    const what =
      purpose === 'hunt' ? `each test of ${plural(total, 'file')}` : `the tests of ${plural(total, 'growing file')}`
    const during = early?.files.length ? ` (${early.files.length} done while your run went on)` : ''
    const runMs = Date.now() - this.#startedAt.getTime()
    const budget = purpose === 'confirm' ? this.#confirm.budget : undefined
    const source =
      budget === undefined ? undefined : `leaks.confirmBudget ${budget} of your run's ${formatSeconds(runMs)}`
    const timeLimit = purpose === 'confirm' ? { ms: confirmTimeLimitMs(runMs, budget), source } : undefined
    if (timeLimit?.ms === 0) {
      // A second Vitest would be stopped as it starts (one started early, for a budget that rounds to nothing, is).
      early?.handle.stop('it was not needed')
      const why = this.#confirm.defaultedInCI ? this.#firstRunInCI() : `${source} leaves no time after your run`
      say(` qtests  ${plural(total, 'growing file')} not confirmed: ${why}`)
      return {
        files: [],
        complete: false,
        ended: this.#confirm.defaultedInCI ? why : `no repeat run: ${why}`,
        notStarted: true,
        unhandledErrors: [],
        durationMs: 0,
      }
    }
    say(
      ` qtests  repeating ${what} in a separate Vitest run, to measure ${purpose === 'hunt' ? 'them' : 'each one'}${during}…`,
    )
    if (timeLimit?.source)
      say(
        ` qtests  confirmation may take ${formatSeconds(timeLimit.ms)} after your run (${timeLimit.source}): files it does not reach stay suspect`,
      )
    const firstRun = purpose === 'confirm' ? this.#firstRunNote() : undefined
    if (firstRun) say(firstRun)
    const progress = new Progress(total, process.stderr.isTTY === true && !inCI(), early?.files.length ?? 0)
    // Ctrl-C now: the repeat run stops, what it measured is reported, the exit code says interrupted.
    const interrupt = () => {
      process.exitCode = 130
      this.#repeatStop.abort('it was interrupted')
    }
    process.once('SIGINT', interrupt)
    process.once('SIGTERM', interrupt)
    this.#onRepeatedFile = () => progress.fileDone()
    try {
      const running = early ?? this.#startRepeat(run.repeat, false, timeLimit)
      this.#repeated = { files: running.files, complete: false, unhandledErrors: [], durationMs: 0 }
      if (early) {
        // The files that grew in the run and were not sent while it went on (none, usually: the last ones may).
        early.handle.add(run.repeat.filter((file) => !early.sent.has(fileKey(file.project, file.moduleId))))
        early.handle.end(timeLimit)
      }
      const result = await running.handle.result
      this.#onRepeatedFile = undefined
      this.#repeated = result
      progress.end()
      const took = early ? `${formatSeconds(Date.now() - waitedFrom)} after your run` : formatSeconds(result.durationMs)
      say(
        ` qtests  repeat run ${result.complete ? 'done' : `ended early: ${result.ended}`} (${took}, ${result.files.length} of ${plural(total, 'file')})`,
      )
      // Whether later runs get further is known once the verdicts are: #finish says so when they do not.
      if (timeLimit?.source && result.timedOut) this.#budgetRanOut = { ms: timeLimit.ms, source: timeLimit.source }
      return result
    } finally {
      process.off('SIGINT', interrupt)
      process.off('SIGTERM', interrupt)
    }
  }

  /**
   * measure: when confirmation runs with no verdicts cached from an earlier run, what makes later runs cheaper — said
   * once, as this run's cost is mostly that first confirmation (CI without the cache pays it every time).
   */
  #firstRunNote(): string | undefined {
    const vitest = this.#vitest!
    if (!this.options.leaks.reuseClean || vitest.config.watch) return undefined
    const file = cleanHistoryPath(this.#reportDir())
    if (existsSync(file)) return undefined
    const shown = path.relative(process.cwd(), path.dirname(file)) || '.'
    return inCI()
      ? ` qtests  no verdicts cached from an earlier run: keep ${shown}/ between CI runs, and later runs repeat only files whose code changed`
      : ` qtests  a first run: later runs reuse these verdicts and repeat only files whose code changed`
  }

  /** measure: whether the next run confirms more than this one (`nextRunConfirmsMore`), from this run's verdicts. */
  #nextRunConfirmsMore(files: readonly FileReport[], repeated: RepeatRunResult): boolean {
    const root = this.#vitest!.config.root
    const reached = new Set(
      repeated.files.map((file) => fileKey(file.project || null, relativeToRoot(root, file.moduleId))),
    )
    // Files the next run will not repeat: cleared, confirmed leaking (carried over), or failing in every repeat.
    const settledFiles = files.filter(
      (file) =>
        (file.verdict === 'clean' ||
          (file.verdict === 'leak' && file.confirmed) ||
          (file.failedRepeats && !file.failedRepeats.at)) &&
        reached.has(fileKey(file.project, file.file)),
    ).length
    return nextRunConfirmsMore({
      reuseClean: this.options.leaks.reuseClean,
      watch: this.#vitest!.config.watch,
      timedOut: repeated.timedOut === true,
      settledFiles,
    })
  }

  /** measure: the user's budget ran out and no later run gets further (nothing settled, or nothing carried over). */
  #budgetTooShort(ranOut: { ms: number; source: string }): string {
    const { reuseClean } = this.options.leaks
    const why = !reuseClean
      ? ', and with leaks.reuseClean off later runs stop at the same place'
      : this.#vitest?.config.watch
        ? ', and in watch mode later runs stop at the same place'
        : ' before it cleared a file or confirmed one leaking (which later runs skip), so they stop at the same place'
    return ` qtests  ${formatSeconds(ranOut.ms)} (${ranOut.source}) ran out${why}: raise leaks.confirmBudget to confirm more`
  }

  /** measure: why a first run in CI confirmed nothing, and how to have it confirm (said once, and in each reason). */
  #firstRunInCI(): string {
    const cache = path.relative(process.cwd(), path.dirname(cleanHistoryPath(this.#reportDir()))) || '.'
    return this.options.leaks.reuseClean
      ? `a first run in CI (no ${cache}/ from an earlier run) does not confirm, which can take twice the run: keep ${cache}/ between CI runs and the next run confirms, or set leaks.confirmBudget`
      : `with leaks.reuseClean off every run in CI is a first run, which does not confirm (it can take twice the run): set leaks.confirmBudget`
  }

  /** Verdicts, terminal section, report files, exit code: the end of the user's run, repeat run included. */
  async #finish(run: EndedRun, repeated?: RepeatRunResult) {
    const vitest = this.#vitest!
    let report: QtestsReport | undefined
    try {
      // With nothing repeated the plan's report is the run's (a second build cost valibot's 247 files ~60 ms).
      report = !repeated && run.planned ? run.planned : this.buildReport(run, repeated)
      const ranOut = this.#budgetRanOut
      // A budget that settles no file (nothing cleared or confirmed) leaves later runs where this one stopped.
      if (ranOut && repeated && !this.#nextRunConfirmsMore(report.files, repeated))
        this.#say(this.#budgetTooShort(ranOut))
      if (run.reason !== 'interrupted' && !this.#repeatStop.signal.aborted) {
        try {
          this.#rememberCleanFiles(run.modules, report)
        } catch (error) {
          vitest.logger.error(
            ` qtests  could not update ${cleanHistoryPath(this.#reportDir())}: ${(error as Error)?.message ?? error}`,
          )
        }
      }
      let paths: string[] = []
      let writeError: string | undefined
      try {
        paths = await this.#write(report)
      } catch (error) {
        writeError = (error as Error)?.message ?? String(error)
      }
      const detail = this.options.report.terminal
      if (detail) {
        const section = formatTerminalSection(report, {
          detail,
          reportPaths: paths.map((file) => path.relative(process.cwd(), file) || file),
          style: colors(),
        })
        this.#say(`\n${section}`)
      }
      if (writeError) vitest.logger.error(` qtests  could not write the report to ${this.#reportDir()}: ${writeError}`)
    } catch (error) {
      // Our machinery failing must not take the run down with it: say so once, carry on.
      vitest.logger.error(` qtests  could not build the leak report: ${(error as Error)?.stack ?? error}`)
    }
    this.#failOn(report)
  }

  /**
   * leaks.failOn: the exit code says so, whatever became of the report files; a run whose verdicts could not be
   * decided (no report) fails rather than passing unchecked.
   */
  #failOn(report: QtestsReport | undefined) {
    const failOn = this.options.leaks.failOn
    if (failOn === 'none') return
    if (!report) {
      this.#vitest!.logger.error(
        ` qtests  the verdicts could not be decided (above); failing the run rather than passing it unchecked (leaks.failOn: '${failOn}')`,
      )
      process.exitCode = 1
      return
    }
    const failing = report.summary.leak + (failOn === 'suspect' ? report.summary.suspect : 0)
    if (failing > 0) {
      this.#vitest!.logger.error(
        ` qtests  ${failing} file(s) ${failOn === 'leak' ? 'leak' : 'leak or are suspect'}; failing the run (leaks.failOn: '${failOn}')`,
      )
      process.exitCode = 1
    }
  }

  /** One of our lines: on stdout after Vitest's summary, unless a reporter writes a document there. */
  #say(line: string) {
    if (this.#stdoutIsDocument) this.#vitest!.logger.error(line)
    else this.#vitest!.logger.log(line)
  }

  buildReport(run: Pick<EndedRun, 'modules' | 'reason' | 'unhandledErrors'>, repeated?: RepeatRunResult): QtestsReport {
    const vitest = this.#vitest!
    const { leaks } = this.options
    const settings = this.#verdictSettings()
    const root = vitest.config.root
    const earlier = this.#earlierLookup()
    const verdicts = (nextRunConfirms: boolean) =>
      run.modules.map((module) =>
        fileVerdict(toFileInput(module, root, repeated, run.reason, nextRunConfirms, earlier), settings),
      )
    let files = verdicts(false)
    if (leaks.mode === 'measure' && repeated && this.#nextRunConfirmsMore(files, repeated)) files = verdicts(true)
    // Watch mode reruns a few files: the report keeps covering every file, the others as last measured.
    if (vitest.config.watch) files = this.#withEarlierRuns(files)
    files.sort((a, b) => a.file.localeCompare(b.file))
    const summary = { files: files.length, leak: 0, suspect: 0, clean: 0, unknown: 0 }
    for (const file of files) summary[file.verdict]++
    const outcome = run.reason === 'passed' && run.unhandledErrors > 0 ? 'failed' : run.reason
    const workers = this.#workers(this.#plainMaxWorkers)
    // A crashed file's retry that ran to its end with failing tests did not pass.
    const failedFiles = new Set(
      run.modules
        .filter((module) => module.state() === 'failed')
        .map((module) => relativeToRoot(root, module.moduleId)),
    )
    for (const retry of workers.retries)
      if (retry.outcome === 'passed' && failedFiles.has(retry.file)) retry.outcome = 'failed'
    attachFileTimings(files, this.#fileTimings(root))
    attachEventLoops(files, run.modules, root)
    const loadTests = collectLoadTests(run.modules, root)
    const mainProcess = this.#mainProcess.report()
    return {
      schemaVersion: 1,
      tool: { name: 'qtests', version: toolVersion },
      mode: leaks.mode,
      startedAt: this.#startedAt.toISOString(),
      durationMs: Date.now() - this.#startedAt.getTime(),
      outcome,
      settings: {
        iterations: leaks.mode === 'hunt' ? leaks.iterations : null,
        minBytesPerIteration: leaks.minBytesPerIteration,
        minBytesPerTest: leaks.minBytesPerTest,
      },
      summary,
      files,
      workers,
      ...(loadTests.length ? { loadTests } : {}),
      ...(mainProcess ? { mainProcess } : {}),
    }
  }

  #verdictSettings(): VerdictSettings {
    const { leaks } = this.options
    return {
      mode: leaks.mode,
      minBytesPerIteration: leaks.minBytesPerIteration,
      minBytesPerTest: leaks.minBytesPerTest,
    }
  }

  /** Adaptive workers' runs (with the worker and its memory) when there are any, else the reporter's own times. */
  #fileTimings(root: string): FileTiming[] {
    const runs = this.scaling?.snapshot().fileRuns
    if (runs?.length) return runs
    return [...this.#moduleTimes].map(([module, times]) => ({
      file: relativeToRoot(root, module.moduleId),
      project: module.project.name || null,
      ...times,
    }))
  }

  #earlierFiles = new Map<string, FileReport>()

  #withEarlierRuns(files: FileReport[]): FileReport[] {
    const now = new Set(files.map((file) => fileKey(file.project, file.file)))
    const earlier = [...this.#earlierFiles]
      .filter(([key]) => !now.has(key))
      .map(([, file]) => ({ ...file, earlierRun: true as const }))
    for (const file of files) this.#earlierFiles.set(fileKey(file.project, file.file), file)
    return [...files, ...earlier]
  }

  /** A report of whatever is known, for writing while the repeat run goes on; never throws. */
  #safeReport(run: Pick<EndedRun, 'modules' | 'reason' | 'unhandledErrors'>): QtestsReport {
    return this.buildReport(run, this.#repeated)
  }

  /**
   * measure: what earlier runs' confirmation found for a file — cleared, failing in every repeat (not repeated again
   * while its test file is unchanged and it grows no more than `grewAsWhenCleared` / `grewAsWhenRepeatsFailed`
   * allow), or a confirmed leak (carried over when the worker reused the file). Not in watch mode, nor with
   * `reuseClean: false`.
   */
  #earlierLookup(): EarlierLookup {
    if (this.#earlier) return this.#earlier
    const vitest = this.#vitest!
    const { leaks } = this.options
    let history: CleanHistory | undefined
    // loadCleanHistory reads an unreadable cache as empty
    if (leaks.mode === 'measure' && leaks.reuseClean && !vitest.config.watch)
      history = loadCleanHistory(cleanHistoryPath(this.#reportDir()), vitest.config.root)
    const stamps = new ContentStamps(history?.contents)
    const settings = new Map<string, string>()
    this.#earlier = (project, moduleId) => {
      if (!history) return {}
      const record = history.files[moduleId]
      if (!record?.cleared && !record?.leak && !history.failedRepeats?.[moduleId]) return {}
      const found: ReturnType<EarlierLookup> = {}
      // Used only when the worker reused the file (its fingerprint, checked at the run's start, held); never lost,
      // or the reused file would read as clean. loadCleanHistory dropped records whose leak is not a leak report.
      if (record?.leak) found.leakEarlier = { at: record.leak.at, report: record.leak.report as StoredLeak }
      try {
        let projectSettings = settings.get(project)
        if (projectSettings === undefined) {
          projectSettings = verdictSettings(this.context.verdictContext(vitest, project))
          settings.set(project, projectSettings)
        }
        const cleared = clearedEarlier(history, moduleId, projectSettings, stamps)
        if (cleared) found.clearedEarlier = cleared
        const failed = failedRepeatsEarlier(history, moduleId, projectSettings, stamps)
        if (failed) found.failedRepeatsEarlier = failed
        return found
      } catch {
        // the file is then confirmed as if no run had repeated it
        return found
      }
    }
    return this.#earlier
  }

  /** measure: files measured clean are remembered with what they load, so the next run can skip them while nothing changes. */
  #rememberCleanFiles(testModules: ReadonlyArray<TestModule>, report: QtestsReport) {
    if (this.options.leaks.mode !== 'measure') return
    const vitest = this.#vitest!
    const root = vitest.config.root
    const reports = new Map(report.files.map((file) => [fileKey(file.project, file.file), file]))
    const now = new Date()
    const file = cleanHistoryPath(this.#reportDir())
    let history = loadCleanHistory(file, root)
    const byProject = new Map<string, MeasuredFile[]>()
    for (const module of testModules) {
      const probe = module.meta()[META_KEY] as FileProbeMeta | undefined
      if (!probe) continue
      const project = module.project.name || ''
      const reported = reports.get(fileKey(project || null, relativeToRoot(root, module.moduleId)))
      const verdict = module.state() === 'passed' ? reported?.verdict : 'failed'
      const files = byProject.get(project) ?? []
      // Clean by repeating its tests: in this run (its growth now), or an earlier one (that run's growth and date).
      const cleared =
        verdict !== 'clean'
          ? undefined
          : (reported!.clearedEarlier ??
            (reported!.confirmed && reported!.growthBytesPerTest !== null
              ? { growthBytesPerTest: reported!.growthBytesPerTest, at: now.toISOString() }
              : undefined))
      // Unknown because its tests all failed when repeated: in this run, or an earlier one (that run's date).
      const failed = module.state() === 'passed' ? reported?.failedRepeats : undefined
      const failedRepeats = failed && {
        growthBytesPerTest: failed.growthBytesPerTest,
        at: failed.at ?? now.toISOString(),
      }
      // A leak its confirmation named a test of, kept to carry over while nothing the file loads changes.
      const leakReport = verdict === 'leak' && reported?.confirmed ? storedLeak(reported) : undefined
      files.push({
        file: module.moduleId,
        verdict: verdict ?? 'unknown',
        reused: probe.reused === true,
        modules: probe.modules,
        ...(cleared ? { cleared } : {}),
        ...(failedRepeats ? { failedRepeats } : {}),
        ...(leakReport ? { leakReport } : {}),
      })
      byProject.set(project, files)
    }
    for (const [project, files] of byProject)
      history = recordRun(history, files, verdictSettings(this.context.verdictContext(vitest, project)), now, root)
    saveCleanHistory(file, history, root)
  }

  #reportDir(): string {
    return this.context.reportDir(this.#vitest!.config.root)
  }

  #workers(maxWorkers: number): WorkersReport {
    const scaling = this.scaling?.snapshot()
    if (!scaling)
      return {
        adaptive: false,
        min: 1,
        max: maxWorkers,
        peakConcurrency: this.#peak,
        timeline: this.#timeline,
        retries: [],
      }
    return {
      adaptive: true,
      min: scaling.min,
      max: scaling.max,
      peakConcurrency: scaling.peakConcurrency,
      timeline: scaling.timeline,
      retries: scaling.retries,
      limits: scaling.limits,
      memoryBudgetBytes: scaling.memoryBudgetBytes,
      peakRssBytes: scaling.peakRssBytes || null,
      workerMemory: scaling.workerMemory.map((worker) => ({
        pid: worker.pid,
        samples: thinSamples(worker.samples, WORKER_MEMORY_SAMPLES),
      })),
      ...(scaling.threadMemory.length
        ? {
            threadMemory: scaling.threadMemory.map((thread) => ({
              thread: thread.thread,
              samples: thinSamples(thread.samples, WORKER_MEMORY_SAMPLES),
            })),
          }
        : {}),
      sampling: scaling.sampling,
    }
  }

  #writeInterrupted() {
    if (!this.#runOpen || !this.#vitest) return
    this.#runOpen = false
    try {
      const run = this.#waiting ?? {
        modules: [...this.#modules.values()],
        reason: 'interrupted' as const,
        unhandledErrors: 0,
      }
      const report = this.#safeReport({ ...run, reason: 'interrupted' })
      const files = this.#files(report)
      for (const [file, content] of files) writeFileAtomicSync(file, content)
      if (files.length)
        process.stderr.write(` qtests  run interrupted; partial report: ${files.map(([file]) => file).join(', ')}\n`)
    } catch (error) {
      process.stderr.write(
        ` qtests  run interrupted; could not write the report: ${(error as Error)?.message ?? error}\n`,
      )
    }
  }

  #files(report: QtestsReport): [string, string][] {
    const dir = this.#reportDir()
    const files: [string, string][] = []
    if (this.options.report.json) files.push([path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`])
    if (this.options.report.html) files.push([path.join(dir, 'report.html'), renderHtmlReport(report)])
    return files
  }

  async #write(report: QtestsReport): Promise<string[]> {
    const files = this.#files(report)
    for (const [file, content] of files) await writeFileAtomic(file, content)
    return files.map(([file]) => file)
  }
}

/** Per worker in report.json: 600 samples are 2.5 minutes at the default 250 ms tick; longer runs keep every n-th. */
const WORKER_MEMORY_SAMPLES = 600

/** Each file's event-loop stalls and GC time, as its worker recorded them in the user's run (see worker/eventLoopWatch.ts). */
function attachEventLoops(files: FileReport[], modules: ReadonlyArray<TestModule>, root: string) {
  const byKey = new Map(files.map((file) => [fileKey(file.project, file.file), file]))
  for (const module of modules) {
    const meta = module.meta()
    const loop = (meta[META_KEY] as FileProbeMeta | undefined)?.eventLoop ?? meta[EVENT_LOOP_META_KEY]
    const file = byKey.get(fileKey(module.project.name || null, relativeToRoot(root, module.moduleId)))
    if (loop && file) {
      file.eventLoop = { maxDelayMs: loop.maxDelayMs, test: loop.test }
      if (loop.stalls?.length) file.eventLoop.stalls = loop.stalls
      file.gcMs = loop.gcMs
    }
  }
}

/** The results `loadTest()` left on the tests' meta, in file then call order. */
function collectLoadTests(modules: ReadonlyArray<TestModule>, root: string): LoadTestReport[] {
  const found: LoadTestReport[] = []
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const results = (test.meta() as { qtestsLoad?: LoadTestReport['result'][] }).qtestsLoad
      if (!Array.isArray(results)) continue
      for (const result of results)
        found.push({
          file: relativeToRoot(root, module.moduleId),
          project: module.project.name || null,
          test: test.fullName,
          result,
        })
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file))
}

/** Files whose memory grew, and files whose cheap samples rose too late for full GCs to confirm in the run. */
function grewInRun(file: FileReport): boolean {
  // A reused file was not probed: its verdict is an earlier run's.
  if (file.reused) return false
  return file.verdict === 'leak' || file.verdict === 'suspect' || (file.verdict === 'unknown' && file.rose === true)
}

/** A file the repeat run can run: its tests ran in Node (not a typecheck or a browser), at least one of them. */
function repeatable(module: TestModule): boolean {
  return (
    module.project.config.pool !== 'typescript' &&
    !typeCheckedOnly(module) &&
    !module.project.config.browser?.enabled &&
    hasRunTests(module)
  )
}

/** A `.test-d.ts` file of a project with `typecheck` on: tsc checked it, no worker ran it. */
function typeCheckedOnly(module: TestModule): boolean {
  return (module.meta() as { typecheck?: boolean }).typecheck === true
}

function hasRunTests(module: TestModule): boolean {
  for (const test of module.children.allTests()) {
    const state = test.result().state
    if (state === 'passed' || state === 'failed') return true
  }
  return false
}

/** Why a file could not be measured at all, in words; undefined when it ran (the verdict says the rest). */
function whyNotRun(module: TestModule, reason: TestRunEndReason): string | undefined {
  if (typeCheckedOnly(module)) return 'type-checked only: its tests do not run in a worker'
  const errors = module.errors()
  if (errors.length)
    return `the file did not run to its end: ${(errors[0]!.message ?? String(errors[0])).split('\n')[0]!.slice(0, 200)}`
  const state = module.state()
  if (reason === 'interrupted' && (state === 'pending' || state === 'queued'))
    return 'the run was interrupted before this file finished'
  // Whatever the file's state: --bail marks the tests it cancels skipped, and a file whose first test was under
  // way then still reads passed.
  return hasRunTests(module)
    ? undefined
    : 'not run: its tests were skipped, or the run was cancelled before it (--bail, Ctrl-C)'
}

/** measure: what earlier runs' confirmation found for a file that still applies to it */
type EarlierLookup = (
  project: string,
  moduleId: string,
) => Pick<FileInput, 'clearedEarlier' | 'failedRepeatsEarlier' | 'leakEarlier'>

function toFileInput(
  module: TestModule,
  root: string,
  repeated: RepeatRunResult | undefined,
  reason: TestRunEndReason,
  nextRunConfirms = false,
  earlier?: EarlierLookup,
): FileInput {
  const project = module.project.name || ''
  // A file sent twice (it should not be) counts once, the last word.
  const again: RepeatedFile | undefined = repeated?.files.findLast(
    (file) => file.project === project && file.moduleId === module.moduleId,
  )
  const byId = new Map(again?.tests.map((test) => [test.id, test]))
  const byName = new Map(again?.tests.map((test) => [test.name, test]))
  const tests: TestInput[] = []
  for (const test of module.children.allTests()) {
    const state = test.result().state
    const probe = test.meta()[META_KEY] as TestProbeMeta | undefined
    const repeatedProbe = (byId.get(test.id) ?? byName.get(test.fullName))?.probe
    for (const found of [probe, repeatedProbe])
      if (found?.allocationSites)
        found.allocationSites = found.allocationSites.map((site) => ({
          ...site,
          file: relativeToRoot(root, site.file),
        }))
    tests.push({ name: test.fullName, state: state === 'pending' ? 'pending' : state, probe, repeated: repeatedProbe })
  }
  const input: FileInput = {
    file: relativeToRoot(root, module.moduleId),
    project: module.project.name || null,
    state: module.state(),
    tests,
    // hunt: the user's run has no probes (only the event-loop watch); the file's forced GCs are the repeat run's.
    probe: (module.meta()[META_KEY] as FileProbeMeta | undefined) ?? again?.probe,
  }
  const notRun = whyNotRun(module, reason)
  if (notRun) input.notRun = notRun
  Object.assign(input, earlier?.(project, module.moduleId))
  if (repeated) {
    input.repeat = again
      ? { ran: true, error: repeatRunError(again) }
      : {
          ran: false,
          why: unreachedReason(repeated, nextRunConfirms),
        }
  }
  return input
}

/** A file in a project; the root project is named '' or null. */
function fileKey(project: string | null, file: string): string {
  return `${project ?? ''}\0${file}`
}

function relativeToRoot(root: string, file: string): string {
  const relative = path.relative(root, file)
  return relative.startsWith('..') || path.isAbsolute(relative)
    ? file.split(path.sep).join('/')
    : relative.split(path.sep).join('/')
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** One updating line on a terminal while the repeat run goes on; nothing in logs (a line before and after). */
class Progress {
  #done: number
  constructor(
    private readonly total: number,
    private readonly live: boolean,
    done = 0,
  ) {
    this.#done = done
  }

  fileDone() {
    this.#done++
    if (this.live) process.stderr.write(`\r qtests  repeat run: ${this.#done} of ${this.total} files`)
  }

  end() {
    if (this.live && this.#done > 0) process.stderr.write('\r\x1b[K')
  }
}

function colors(): TerminalStyle | undefined {
  if (!process.stdout.isTTY || process.env.NO_COLOR) return undefined
  const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
}
