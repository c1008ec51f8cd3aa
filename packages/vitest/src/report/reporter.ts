import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import type { ResolvedOptions } from '../plugin/options.js'
import { reportDir } from '../plugin/paths.js'
import type { WorkerScaling } from '../pool/workerScaling.js'
import { type FileProbeMeta, META_KEY, type TestProbeMeta } from '../shared/protocol.js'
import { cleanHistoryPath, loadCleanHistory, type MeasuredFile, recordRun, saveCleanHistory, verdictSettings } from './cleanHistory.js'
import { renderHtmlReport } from './html.js'
import type { QtestsReport, WorkersReport } from './schema.js'
import { formatTerminalSection, type TerminalStyle } from './terminal.js'
import { type FileInput, fileVerdict, type TestInput, type VerdictSettings } from './verdicts.js'
import { writeFileAtomic, writeFileAtomicSync } from './writeFileAtomic.js'

const toolVersion: string = (() => {
  try {
    const manifest = new URL('../../package.json', import.meta.url)
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
})()

/**
 * Main-process side: collects what the worker probes recorded, decides verdicts, prints the terminal
 * section after Vitest's summary and writes the reports — on every run end, failed or interrupted too.
 */
export class QtestsReporter implements Reporter {
  #vitest: Vitest | undefined
  /** Plain Vitest's worker count, for the report when adaptive workers are off; fixed once Vitest starts. */
  #plainMaxWorkers = 1
  #startedAt = new Date()
  #running = 0
  #timeline: WorkersReport['timeline'] = []
  #peak = 0
  /** modules of the run under way, so an interrupted run still has something to report */
  #modules = new Map<string, TestModule>()
  #runOpen = false

  constructor(
    private readonly options: ResolvedOptions,
    private readonly scaling?: WorkerScaling,
  ) {}

  onInit(vitest: Vitest) {
    this.#vitest = vitest
    this.#plainMaxWorkers = vitestMaxWorkers(vitest)
    // `vitest run` exits on SIGINT/SIGTERM (or a crashed worker) without ending the run for reporters;
    // the `exit` event still comes, and a synchronous write there keeps the report promise.
    process.once('exit', () => this.#writeInterrupted())
  }

  onTestRunStart() {
    this.#startedAt = new Date()
    this.#running = 0
    this.#peak = 0
    this.#timeline = []
    this.#modules.clear()
    this.#runOpen = true
    this.scaling?.runStarted()
  }

  onTestModuleStart(module: TestModule) {
    this.#modules.set(module.moduleId, module)
    this.#running++
    this.#peak = Math.max(this.#peak, this.#running)
    this.#mark()
  }

  onTestModuleEnd() {
    this.#running = Math.max(0, this.#running - 1)
    this.#mark()
  }

  #mark() {
    this.#timeline.push({ t: Date.now() - this.#startedAt.getTime(), running: this.#running, limit: this.#plainMaxWorkers, rssBytes: null })
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason) {
    const vitest = this.#vitest
    this.#runOpen = false
    if (!vitest) return
    try {
      this.scaling?.runEnded()
    } catch (error) {
      vitest.logger.error(` qtests  could not finish worker scaling's bookkeeping: ${(error as Error)?.message ?? error}`)
    }
    try {
      const report = this.buildReport(testModules, reason)
      if (reason !== 'interrupted') {
        try {
          this.#rememberCleanFiles(testModules, report)
        } catch (error) {
          vitest.logger.error(` qtests  could not update ${cleanHistoryPath(this.#reportDir())}: ${(error as Error)?.message ?? error}`)
        }
      }
      const paths = await this.#write(report)
      const detail = this.options.report.terminal
      if (detail) {
        const section = formatTerminalSection(report, {
          detail,
          reportPaths: paths.map((file) => path.relative(process.cwd(), file) || file),
          style: colors(),
        })
        vitest.logger.log(`\n${section}`)
      }
      const failOn = this.options.leaks.failOn
      const failing = failOn === 'leak' ? report.summary.leak : failOn === 'suspect' ? report.summary.leak + report.summary.suspect : 0
      if (failing > 0) {
        vitest.logger.error(` qtests  ${failing} file(s) ${failOn === 'leak' ? 'leak' : 'leak or are suspect'}; failing the run (leaks.failOn: '${failOn}')`)
        process.exitCode = 1
      }
    } catch (error) {
      // Our machinery failing must not take the run down with it: say so once, carry on.
      vitest.logger.error(` qtests  could not build or write the leak report: ${(error as Error)?.stack ?? error}`)
    }
  }

  buildReport(testModules: ReadonlyArray<TestModule>, reason: TestRunEndReason): QtestsReport {
    const vitest = this.#vitest!
    const { leaks } = this.options
    const settings: VerdictSettings = {
      mode: leaks.mode,
      minBytesPerIteration: leaks.minBytesPerIteration,
      minBytesPerTest: leaks.minBytesPerTest,
    }
    const root = vitest.config.root
    const files = testModules
      .map((module) => fileVerdict(toFileInput(module, root), settings))
      .sort((a, b) => a.file.localeCompare(b.file))
    const summary = { files: files.length, leak: 0, suspect: 0, clean: 0, unknown: 0 }
    for (const file of files) summary[file.verdict]++
    return {
      schemaVersion: 1,
      tool: { name: 'qtests', version: toolVersion },
      mode: leaks.mode,
      startedAt: this.#startedAt.toISOString(),
      durationMs: Date.now() - this.#startedAt.getTime(),
      outcome: reason,
      settings: {
        iterations: leaks.mode === 'hunt' ? leaks.iterations : null,
        minBytesPerIteration: leaks.minBytesPerIteration,
        minBytesPerTest: leaks.minBytesPerTest,
      },
      summary,
      files,
      workers: this.#workers(this.#plainMaxWorkers),
    }
  }

  /** measure: files measured clean are remembered with what they load, so the next run can skip them while nothing changes. */
  #rememberCleanFiles(testModules: ReadonlyArray<TestModule>, report: QtestsReport) {
    if (this.options.leaks.mode !== 'measure') return
    const vitest = this.#vitest!
    const root = vitest.config.root
    const verdicts = new Map(report.files.map((file) => [`${file.project ?? ''}\0${file.file}`, file.verdict]))
    const file = cleanHistoryPath(this.#reportDir())
    let history = loadCleanHistory(file)
    const byProject = new Map<string, MeasuredFile[]>()
    for (const module of testModules) {
      const probe = (module.meta() as Record<string, unknown>)[META_KEY] as FileProbeMeta | undefined
      if (!probe) continue
      const project = module.project.name || ''
      const verdict = module.state() === 'passed' ? verdicts.get(`${project}\0${relativeToRoot(root, module.moduleId)}`) : 'failed'
      const files = byProject.get(project) ?? []
      files.push({ file: module.moduleId, verdict: verdict ?? 'unknown', reused: probe.reused === true, modules: probe.modules })
      byProject.set(project, files)
    }
    const now = new Date()
    for (const [project, files] of byProject) history = recordRun(history, files, verdictSettings(vitest, this.options, project), now)
    saveCleanHistory(file, history)
  }

  #reportDir(): string {
    return reportDir(this.#vitest!.config.root, this.options)
  }

  #workers(maxWorkers: number): WorkersReport {
    const scaling = this.scaling?.snapshot()
    if (!scaling)
      return { adaptive: false, min: 1, max: maxWorkers, peakConcurrency: this.#peak, timeline: this.#timeline, retries: [] }
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
    }
  }

  #writeInterrupted() {
    if (!this.#runOpen || !this.#vitest) return
    this.#runOpen = false
    try {
      const report = this.buildReport([...this.#modules.values()], 'interrupted')
      const files = this.#files(report)
      for (const [file, content] of files) writeFileAtomicSync(file, content)
      if (files.length) process.stderr.write(` qtests  run interrupted; partial report: ${files.map(([file]) => file).join(', ')}\n`)
    } catch (error) {
      process.stderr.write(` qtests  run interrupted; could not write the report: ${(error as Error)?.message ?? error}\n`)
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

function toFileInput(module: TestModule, root: string): FileInput {
  const tests: TestInput[] = []
  for (const test of module.children.allTests()) {
    const state = test.result().state
    const probe = (test.meta() as Record<string, unknown>)[META_KEY] as TestProbeMeta | undefined
    if (probe?.allocationSites) probe.allocationSites = probe.allocationSites.map((site) => ({ ...site, file: relativeToRoot(root, site.file) }))
    tests.push({ name: test.fullName, state: state === 'pending' ? 'pending' : state, probe })
  }
  return {
    file: relativeToRoot(root, module.moduleId),
    project: module.project.name || null,
    state: module.state(),
    tests,
    probe: (module.meta() as Record<string, unknown>)[META_KEY] as FileProbeMeta | undefined,
  }
}

function relativeToRoot(root: string, file: string): string {
  const relative = path.relative(root, file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? file.split(path.sep).join('/') : relative.split(path.sep).join('/')
}

function colors(): TerminalStyle | undefined {
  if (!process.stdout.isTTY || process.env.NO_COLOR) return undefined
  const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
}

/** The number of workers plain Vitest 4 runs when nobody set `maxWorkers`: cores − 1 (half in watch mode). */
function vitestMaxWorkers(vitest: Vitest): number {
  if (vitest.config.maxWorkers) return vitest.config.maxWorkers
  const cores = os.availableParallelism()
  return Math.max(1, vitest.config.watch ? Math.floor(cores / 2) : cores - 1)
}
