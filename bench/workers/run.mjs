#!/usr/bin/env node
// Worker scaling: wall time and peak memory of `vitest run` at fixed maxWorkers and with the qtests
// adaptive pool, on generated suites: io-bound, cpu-bound, memory-heavy, graph (non-isolated, a large
// module graph per worker) and jsdom (non-isolated DOM tests). Vitest 4.1 on this Node by default; Vitest
// 5.1 on Node 22 with --vitest 5 or QTESTS_VITEST=5, where `vitest doctor`'s recommendation runs too.
//
//   pnpm bench:workers [--suite io|cpu|memory|graph|jsdom|all] [--rounds 1] [--quick] [--budget 1.4GiB]
//                      [--configs 1,2,4,8,16,default,adaptive,warm[,doctor]] [--vitest 4|5]
//
// Prints a table per suite and the targets, writes results.json, and always exits 0: a benchmark
// reports, it does not assert.

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { installProject, packPackages, vitestMajor, vitestTarget } from '@qtests/test-utils'
import { childrenCpuMs, machineBusyMs, median, seconds } from '../lib.mjs'
import { doctorChangesSettings, runDoctor, withoutWorkerCount } from './doctor.mjs'
import {
  adaptiveMaxWorkers,
  generate,
  generatedDir,
  generatorVersion,
  suiteDir,
  suiteKeys,
  suites,
  writeConfig,
} from './generate.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const resultsPath = join(benchDir, 'results.json')
// adaptive: a first run, no history; warm: the adaptive pool with the history earlier runs of the suite left;
// doctor (Vitest 5 only): plain Vitest with the settings `vitest doctor` recommended for the suite;
// adaptive+doctor: the adaptive pool with those settings, run when they are more than a worker count (see below).
const allConfigs = ['1', '2', '4', '8', '16', 'default', 'adaptive', 'warm', 'doctor']
const adaptiveDoctor = 'adaptive+doctor'
const pollIntervalMs = 50
// A run that hangs (a deadlocked pool) must not hang the benchmark; the slowest full run takes 1-2 min.
const runTimeoutMs = 10 * 60_000
// Doctor runs the suite 8-14 times (its baseline, each candidate, validation runs).
const doctorTimeoutMs = 60 * 60_000
const pageBytes = 4096
// The table's first column fits the longest configuration name.
const configWidth = adaptiveDoctor.length + 2

const targets = {
  ioVsBestStatic: 1.1,
  ioSpeedupVsDefault: 3,
  cpuVsBestStatic: 1.1,
  reusedVsBestStatic: 1.1,
  reusedVsDefault: 1.05,
}
// Above this share of the CPUs taken by other processes during a run, the output warns that wall times are
// noisy. The load average cannot tell: after a 16-worker run it stays high for a minute from the suite itself.
const noisyOtherShare = 0.1

let args = {}

function parseOptions() {
  const options = {
    suite: { type: 'string', default: 'all' },
    rounds: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    budget: { type: 'string' },
    configs: { type: 'string' },
    vitest: { type: 'string' },
  }
  try {
    ;({ values: args } = parseArgs({ options }))
  } catch (error) {
    throw new Error(
      `${error.message.split('. ')[0]}; the flags are ${Object.keys(options)
        .map((name) => `--${name}`)
        .join(', ')}.`,
    )
  }
  const keys = args.suite === 'all' ? suiteKeys : [args.suite]
  for (const key of keys) {
    if (!(key in suites))
      throw new Error(`--suite is ${JSON.stringify(args.suite)}; allowed: ${suiteKeys.join(', ')} or all.`)
  }
  const rounds = Number(args.rounds)
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got ${JSON.stringify(args.rounds)}`)
  // --vitest wins over QTESTS_VITEST; both go through the same check as the plugin's own tests.
  const vitest = vitestMajor(args.vitest === undefined ? process.env : { QTESTS_VITEST: args.vitest })
  const configs = (args.configs ?? allConfigs.filter((config) => config !== 'doctor' || vitest === '5').join(','))
    .split(',')
    .map((c) => c.trim())
  for (const config of configs) {
    if (!/^[1-9]\d*$/.test(config) && !['default', 'adaptive', 'warm', 'doctor', adaptiveDoctor].includes(config))
      throw new Error(
        `--configs has ${JSON.stringify(config)}; allowed: worker counts, default, adaptive, warm, doctor and ${adaptiveDoctor}, e.g. 1,2,4,8,16,default,adaptive,warm.`,
      )
  }
  const needsDoctor = configs.find((config) => config === 'doctor' || config === adaptiveDoctor)
  if (needsDoctor && vitest !== '5')
    throw new Error(
      `--configs has ${needsDoctor}, which needs \`vitest doctor\` from Vitest 5: add --vitest 5 (or set QTESTS_VITEST=5).`,
    )
  // The budget binds on the memory-heavy suite only: between 2 and 4 workers' worth of its files on this
  // kind of machine (Vitest's main process included), so running "as many as fit" is a real decision.
  // The other suites run at the plugin's default budget (60% of system memory). Quick files are smaller.
  const budget = args.budget ?? (args.quick ? '900MiB' : '1.4GiB')
  return { selectedSuites: keys, rounds, configs, budget, vitest }
}

/**
 * The Node and Vitest the suites run with. Vitest 4.1: this package's own, on this Node. Vitest 5: the
 * plugin packed from this build, Vitest 5.1 and jsdom installed by npm into .generated-v5 (the suites
 * there resolve their packages from it), on Node 22 from the npm registry.
 */
async function prepareRuntime(vitest) {
  if (vitest === '4') {
    const vitestBin = join(benchDir, 'node_modules', 'vitest', 'vitest.mjs')
    return {
      major: '4',
      node: process.execPath,
      nodeVersion: process.version,
      vitestBin,
      vitestVersion: readJson(join(benchDir, 'node_modules', 'vitest', 'package.json')).version,
    }
  }
  const target = await vitestTarget('5')
  const home = generatedDir('5')
  process.stderr.write(`installing Vitest ${target.vitest}, jsdom and the plugin packed from this build in ${home} …\n`)
  const packed = await packPackages(join(home, 'tarballs'))
  const { jsdom } = readJson(join(benchDir, 'package.json')).devDependencies
  await installProject(home, packed, target, { jsdom })
  const nodeVersion = execFileSync(target.node, ['--version'], { encoding: 'utf8' }).trim()
  const vitestVersion = readJson(join(home, 'node_modules', 'vitest', 'package.json')).version
  return {
    major: '5',
    node: target.node,
    nodeVersion,
    vitestBin: join(home, 'node_modules', 'vitest', 'vitest.mjs'),
    vitestVersion,
  }
}

/** The budget in bytes, parsed by the plugin itself so '60%' means the same here and there. */
async function parseBudget(budget) {
  let parseMemoryBudget
  try {
    ;({ parseMemoryBudget } = await import('@qtests/vitest'))
  } catch (error) {
    throw new Error(`cannot load @qtests/vitest (${error.message}); build it first: pnpm build`)
  }
  const bytes = /^\d+$/.test(budget) ? Number(budget) : parseMemoryBudget(budget, totalmem())
  if (!bytes)
    throw new Error(`--budget is ${JSON.stringify(budget)}; allowed: bytes, or a string like '3GB', '512MB' or '60%'.`)
  return bytes
}

/** Pid -> { parentPid, rssBytes } for every process, from /proc/<pid>/stat (Linux only). */
function readProcessTable() {
  const table = new Map()
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // Fields after the command name: [0] state, [1] ppid, ... [21] rss in pages (proc(5) field 24).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      table.set(Number(name), { parentPid: Number(fields[1]), rssBytes: Number(fields[21]) * pageBytes })
    } catch {
      // The process exited between readdir and read.
    }
  }
  return table
}

/** Sum of RSS over rootPid and all its descendants, and how many processes that is. */
function treeMemory(rootPid) {
  const table = readProcessTable()
  const childrenOf = new Map()
  for (const [pid, { parentPid }] of table) {
    if (!childrenOf.has(parentPid)) childrenOf.set(parentPid, [])
    childrenOf.get(parentPid).push(pid)
  }
  let rssBytes = 0
  let processes = 0
  const pending = [rootPid]
  while (pending.length > 0) {
    const pid = pending.pop()
    const entry = table.get(pid)
    if (!entry) continue
    rssBytes += entry.rssBytes
    processes++
    pending.push(...(childrenOf.get(pid) ?? []))
  }
  return { rssBytes, processes }
}

const crashPatterns = [
  [/heap out of memory|allocation failed/i, 'out of memory'],
  [
    /worker exited unexpectedly|worker (forks|threads) emitted error|channel closed|ERR_IPC_CHANNEL_CLOSED|SIGKILL|SIGABRT/i,
    'worker died',
  ],
]

/** Why a run doesn't count as a clean pass, or null when it does. */
function crashReason(run, expectedTests) {
  const reasons = []
  if (run.signal) reasons.push(`killed by ${run.signal}`)
  else if (run.exitCode !== 0) reasons.push(`exit ${run.exitCode}`)
  if (run.timedOut) reasons.push(`timed out after ${runTimeoutMs / 60_000} min`)
  for (const [pattern, reason] of crashPatterns) if (pattern.test(run.output)) reasons.push(reason)
  if (run.testsPassed !== expectedTests) reasons.push(`${run.testsPassed ?? '?'} of ${expectedTests} tests passed`)
  return reasons.length > 0 ? reasons.join(', ') : null
}

// The run in progress (or vitest doctor): it has its own process group, so Ctrl-C here would not reach it.
let runningVitest = null
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (runningVitest) process.kill(-runningVitest.pid, 'SIGKILL')
    process.exit(130)
  })
}

/**
 * One `vitest run` of a suite under one configuration: wall time from spawn to exit, and the peak
 * total RSS of Vitest and every descendant (workers, and what tests spawn), polled every 50 ms.
 */
function runVitest({ key, config, budget, runtime, doctorSettings = {}, filters = [] }) {
  const dir = suiteDir(key, runtime.major)
  const runDir = join(dir, '.bench')
  mkdirSync(runDir, { recursive: true })
  const jsonPath = join(runDir, `${config}.json`)
  const reportDir = join(runDir, `qtests-${config}`)
  rmSync(jsonPath, { force: true })
  // A warm run keeps the report directory, and with it the pool's history (cache/workers.json).
  if (config !== 'warm') rmSync(reportDir, { recursive: true, force: true })
  const memoryBudget = key === 'memory' ? budget : '60%'
  const env = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    BENCH_WORKERS: config,
    BENCH_MEMORY_BUDGET: memoryBudget,
    BENCH_DOCTOR_SETTINGS: JSON.stringify(doctorSettings),
    QTESTS_REPORT_DIR: reportDir,
  }
  // A QTESTS_LEAKS left in the caller's shell would turn leak probes back on in the adaptive run.
  delete env.QTESTS_LEAKS
  return new Promise((resolve) => {
    const cpuBeforeMs = childrenCpuMs()
    const machineBeforeMs = machineBusyMs()
    const started = process.hrtime.bigint()
    // Its own process group, so a run that overstays can be stopped with all its workers.
    const child = spawn(
      runtime.node,
      [runtime.vitestBin, 'run', '--reporter=json', `--outputFile=${jsonPath}`, ...filters],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    )
    runningVitest = child
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    let peakRssBytes = 0
    let peakProcesses = 0
    const poll = setInterval(() => {
      const { rssBytes, processes } = treeMemory(child.pid)
      peakRssBytes = Math.max(peakRssBytes, rssBytes)
      peakProcesses = Math.max(peakProcesses, processes)
    }, pollIntervalMs)
    let timedOut = false
    const timeout = setTimeout(() => {
      timedOut = true
      process.kill(-child.pid, 'SIGKILL')
    }, runTimeoutMs)
    child.on('close', (exitCode, signal) => {
      runningVitest = null
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      clearInterval(poll)
      clearTimeout(timeout)
      const json = readJson(jsonPath)
      const workers = readJson(join(reportDir, 'report.json'))?.workers
      const cpuMs = cpuBeforeMs === null ? null : childrenCpuMs() - cpuBeforeMs
      const machineMs = machineBeforeMs === null ? null : machineBusyMs() - machineBeforeMs
      resolve({
        config,
        wallMs,
        cpuMs,
        // The CPU other processes took during the run, as a share of all the CPUs' time (see `machineBusyMs`).
        otherCpuShare:
          cpuMs === null || machineMs === null
            ? null
            : Math.max(0, machineMs - cpuMs) / (wallMs * availableParallelism()),
        peakRssBytes,
        peakProcesses,
        exitCode,
        signal,
        timedOut,
        testsPassed: json?.numPassedTests ?? null,
        pluginWorkers: workers ? { adaptive: workers.adaptive, peakConcurrency: workers.peakConcurrency } : null,
        output,
      })
    })
  })
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

async function ensureSuite(key, quick, vitest) {
  const manifest = readJson(join(suiteDir(key, vitest), 'manifest.json'))
  if (manifest && manifest.generatorVersion === generatorVersion && manifest.quick === quick) {
    writeConfig(key, vitest)
    return manifest
  }
  const fresh = await generate(key, { quick, vitest })
  console.log(`generated ${fresh.suite}: ${fresh.files} files, ${fresh.tests} tests`)
  return fresh
}

const megabytes = (bytes) => `${Math.round(bytes / 2 ** 20)} MB`
const gigabytes = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GB`
const percent = (share) => `${(share * 100).toFixed(1)}%`
// doctor's recommendation is a fixed configuration too: it counts as static.
const isStatic = (config) => config !== 'adaptive' && config !== 'warm' && config !== adaptiveDoctor

/** Per configuration: median wall time over rounds, the highest peak RSS, and any crash. */
function summarise(runs, expectedTests) {
  const byConfig = new Map()
  for (const run of runs) {
    if (!byConfig.has(run.config)) byConfig.set(run.config, [])
    byConfig.get(run.config).push(run)
  }
  return [...byConfig].map(([config, list]) => {
    const crashes = list.map((run) => crashReason(run, expectedTests)).filter(Boolean)
    return {
      config,
      wallMs: median(list.map((run) => run.wallMs)),
      cpuMs: median(list.map((run) => run.cpuMs)),
      peakRssBytes: Math.max(...list.map((run) => run.peakRssBytes)),
      peakProcesses: Math.max(...list.map((run) => run.peakProcesses)),
      testsPassed: Math.min(...list.map((run) => run.testsPassed ?? 0)),
      crash: crashes.length > 0 ? [...new Set(crashes)].join('; ') : null,
      pluginWorkers: list.at(-1).pluginWorkers,
    }
  })
}

function printTable(rows, { expectedTests, budgetBytes: budget, isMemory, bestStatic, doctorApart }) {
  const col = (text, width) => String(text).padStart(width)
  const header =
    `${'config'.padEnd(configWidth)}${col('wall s', 9)}${col('cpu s', 9)}${col('peak RSS', 11)}${col('procs', 7)}${col('vs best', 9)}` +
    `${isMemory ? col(`≤ ${gigabytes(budget)}`, 11) : ''}${col('tests', 11)}  result`
  console.log(header)
  for (const row of rows) {
    const ratio = bestStatic ? `${(row.wallMs / bestStatic.wallMs).toFixed(2)}×` : '–'
    const underBudget = row.peakRssBytes <= budget ? 'yes' : 'NO'
    console.log(
      `${row.config.padEnd(configWidth)}${col(seconds(row.wallMs), 9)}${col(seconds(row.cpuMs), 9)}${col(megabytes(row.peakRssBytes), 11)}${col(row.peakProcesses, 7)}` +
        `${col(ratio, 9)}${isMemory ? col(underBudget, 11) : ''}${col(`${row.testsPassed}/${expectedTests}`, 11)}  ${row.crash ?? 'ok'}`,
    )
  }
  console.log(
    bestStatic ? `best static: ${bestStatic.config} (${seconds(bestStatic.wallMs)} s)` : 'best static: none passed',
  )
  if (doctorApart)
    console.log(
      `doctor changed more than the worker count: its row is not among the suite's own static settings; ${adaptiveDoctor} is the pool with its settings`,
    )
  for (const adaptive of rows.filter((row) => !isStatic(row.config))) {
    if (adaptive.pluginWorkers && !adaptive.pluginWorkers.adaptive) {
      console.log(`note: the plugin reported workers.adaptive = false: "${adaptive.config}" ran as plain Vitest.`)
    } else if (adaptive.pluginWorkers) {
      console.log(`${adaptive.config} pool: peak concurrency ${adaptive.pluginWorkers.peakConcurrency} (plugin report)`)
    }
  }
}

/** The fastest static configuration that passed, or null; `doctorApart`: doctor's row is not one (see doctorChangesSettings). */
function bestStaticRow(rows, doctorApart) {
  const passed = rows.filter((row) => isStatic(row.config) && !row.crash && !(doctorApart && row.config === 'doctor'))
  return passed.length > 0 ? passed.reduce((best, row) => (row.wallMs < best.wallMs ? row : best)) : null
}

/** The targets that apply to one suite, each { name, met: true | false | null, detail }. */
function checkTargets(key, rows, budget, bestStatic, doctorApart) {
  // Doctor's row with settings other than a worker count is not a static run of the suite's own settings.
  const ownRows = doctorApart ? rows.filter((row) => row.config !== 'doctor') : rows
  const suiteTargets = ownSettingsTargets(key, ownRows, budget, bestStatic)
  const withDoctor = rows.find((row) => row.config === adaptiveDoctor)
  const doctor = rows.find((row) => row.config === 'doctor')
  if (!withDoctor || !doctor) return suiteTargets
  // The same limit as against the best static run: doctor's settings with the pool, against them without it.
  const limit = { io: targets.ioVsBestStatic, cpu: targets.cpuVsBestStatic }[key] ?? targets.reusedVsBestStatic
  const ratio = withDoctor.wallMs / doctor.wallMs
  suiteTargets.push({
    name: `${adaptiveDoctor} ≤ ${limit}× doctor`,
    met: !withDoctor.crash && !doctor.crash && ratio <= limit,
    detail: `${ratio.toFixed(2)}× (${seconds(withDoctor.wallMs)} s vs ${seconds(doctor.wallMs)} s)${withDoctor.crash ? `; ${adaptiveDoctor}: ${withDoctor.crash}` : ''}`,
  })
  return suiteTargets
}

function ownSettingsTargets(key, rows, budget, bestStatic) {
  const adaptive = rows.find((row) => row.config === 'adaptive')
  const notMeasured = (name, what) => ({ name, met: null, detail: `not measured (${what})` })
  const vsBest = (name, limit) => {
    if (!adaptive || !bestStatic) return notMeasured(name, 'needs adaptive and a passing static run')
    const ratio = adaptive.wallMs / bestStatic.wallMs
    return {
      name,
      met: !adaptive.crash && ratio <= limit,
      detail: `${ratio.toFixed(2)}× (${seconds(adaptive.wallMs)} s vs ${bestStatic.config} at ${seconds(bestStatic.wallMs)} s)${adaptive.crash ? `; adaptive: ${adaptive.crash}` : ''}`,
    }
  }
  const vitestDefault = rows.find((row) => row.config === 'default')
  if (key === 'io') {
    const name = `adaptive ≥ ${targets.ioSpeedupVsDefault}× faster than Vitest's default`
    const speedup =
      !adaptive || !vitestDefault
        ? notMeasured(name, 'needs adaptive and default')
        : {
            name,
            met: !adaptive.crash && vitestDefault.wallMs / adaptive.wallMs >= targets.ioSpeedupVsDefault,
            detail: `${(vitestDefault.wallMs / adaptive.wallMs).toFixed(2)}× (${seconds(vitestDefault.wallMs)} s → ${seconds(adaptive.wallMs)} s)`,
          }
    return [vsBest(`adaptive ≤ ${targets.ioVsBestStatic}× best static`, targets.ioVsBestStatic), speedup]
  }
  if (key === 'cpu') return [vsBest(`adaptive ≤ ${targets.cpuVsBestStatic}× best static`, targets.cpuVsBestStatic)]
  if (key === 'graph' || key === 'jsdom') {
    // Reused workers: plain Vitest's default (1 worker on 2 CPUs) loads the module graph once; the pool must not lose to it.
    const name = `adaptive ≤ ${targets.reusedVsDefault}× Vitest's default`
    const vsDefault =
      !adaptive || !vitestDefault
        ? notMeasured(name, 'needs adaptive and default')
        : {
            name,
            met: !adaptive.crash && adaptive.wallMs / vitestDefault.wallMs <= targets.reusedVsDefault,
            detail: `${(adaptive.wallMs / vitestDefault.wallMs).toFixed(2)}× (${seconds(adaptive.wallMs)} s vs ${seconds(vitestDefault.wallMs)} s)`,
          }
    return [vsBest(`adaptive ≤ ${targets.reusedVsBestStatic}× best static`, targets.reusedVsBestStatic), vsDefault]
  }
  return memoryTargets(rows, adaptive, budget)
}

function memoryTargets(rows, adaptive, budget) {
  const withinName = `adaptive peak RSS ≤ budget ${gigabytes(budget)}, no crash`
  const fasterName = 'every static run as fast as adaptive exceeds the budget or crashes'
  if (!adaptive)
    return [
      { name: withinName, met: null, detail: 'not measured' },
      { name: fasterName, met: null, detail: 'not measured' },
    ]
  const within = {
    name: withinName,
    met: adaptive.peakRssBytes <= budget && !adaptive.crash,
    detail: `${gigabytes(adaptive.peakRssBytes)}${adaptive.crash ? `, ${adaptive.crash}` : ', no crash'}`,
  }
  const asFast = rows.filter((row) => isStatic(row.config) && row.wallMs <= adaptive.wallMs)
  const safeAndFast = asFast.filter((row) => row.peakRssBytes <= budget && !row.crash)
  const describe = (row) =>
    `${row.config} (${seconds(row.wallMs)} s, ${gigabytes(row.peakRssBytes)}${row.crash ? `, ${row.crash}` : ''})`
  const faster = {
    name: fasterName,
    met: safeAndFast.length === 0,
    detail:
      asFast.length === 0
        ? `no static run was as fast as adaptive (${seconds(adaptive.wallMs)} s)`
        : safeAndFast.length === 0
          ? `as fast: ${asFast.map(describe).join(', ')}`
          : `within budget and as fast: ${safeAndFast.map(describe).join(', ')}`,
  }
  return [within, faster]
}

async function main() {
  const { selectedSuites, rounds, configs, budget, vitest } = parseOptions()
  const budgetBytes = await parseBudget(budget)
  const benchStarted = process.hrtime.bigint()
  const runtime = await prepareRuntime(vitest)
  console.log(
    `qtests worker scaling${args.quick ? ' (quick)' : ''}: ${rounds} round(s); configs ${configs.join(', ')}; memory budget ${budget} = ${gigabytes(budgetBytes)}; ` +
      `Vitest ${runtime.vitestVersion} on Node ${runtime.nodeVersion}, ${availableParallelism()} CPUs, ${gigabytes(totalmem())} RAM`,
  )
  const results = {
    date: new Date().toISOString(),
    node: runtime.nodeVersion,
    vitest: runtime.vitestVersion,
    cpus: availableParallelism(),
    totalMemoryBytes: totalmem(),
    quick: args.quick,
    rounds,
    budget,
    budgetBytes,
    adaptiveMaxWorkers,
    suites: {},
  }
  const allTargets = []
  let maxOtherShare = 0
  for (const key of selectedSuites) {
    const manifest = await ensureSuite(key, args.quick, vitest)
    console.log(`\n${manifest.suite}: ${manifest.files} files, ${manifest.tests} tests`)
    // Warm-up on one file: page cache and Vite's first transform. Not counted.
    const warmup = await runVitest({ key, config: '1', budget, runtime, filters: ['test/00.test.ts'] })
    if (warmup.exitCode !== 0) console.log(`  warm-up failed (exit ${warmup.exitCode}):\n${lastLines(warmup.output)}`)
    let suiteConfigs = configs.filter((config) => config !== adaptiveDoctor)
    let doctor = null
    if (configs.includes('doctor') || configs.includes(adaptiveDoctor)) {
      doctor = await consultDoctor(key, runtime)
      if (!doctor.settings) suiteConfigs = suiteConfigs.filter((config) => config !== 'doctor')
      // With the adaptive row asked for, the pool also runs with doctor's settings when they are more than a worker count.
      else if (
        doctorChangesSettings(doctor.settings) &&
        (configs.includes('adaptive') || configs.includes(adaptiveDoctor))
      )
        suiteConfigs = [...suiteConfigs, adaptiveDoctor]
    }
    const doctorApart = doctorChangesSettings(doctor?.settings)
    if (configs.includes('warm')) {
      // The history a warm run starts from: one adaptive run of this build, not counted.
      rmSync(join(suiteDir(key, vitest), '.bench', 'qtests-warm'), { recursive: true, force: true })
      const priming = await runVitest({ key, config: 'warm', budget, runtime })
      if (priming.exitCode !== 0)
        console.log(`  priming run for warm failed (exit ${priming.exitCode}):\n${lastLines(priming.output)}`)
    }
    const runs = []
    for (let round = 0; round < rounds; round++) {
      // Alternate the order by round, so slow drift on a shared machine hits every configuration alike.
      const order = round % 2 === 0 ? suiteConfigs : [...suiteConfigs].reverse()
      for (const config of order) {
        const doctorSettings =
          config === adaptiveDoctor ? withoutWorkerCount(doctor.settings) : (doctor?.settings ?? {})
        const run = await runVitest({ key, config, budget, runtime, doctorSettings })
        const crash = crashReason(run, manifest.tests)
        if (crash) console.log(`  ${config} round ${round + 1}: ${crash}\n${lastLines(run.output)}`)
        runs.push(run)
        // Progress on stderr (a full run takes over an hour); the tables on stdout stay as they are.
        process.stderr.write(
          `  ${manifest.suite} ${runs.length}/${rounds * suiteConfigs.length}: round ${round + 1}, ${config}: ${seconds(run.wallMs)} s${crash ? ' (crashed)' : ''}\n`,
        )
      }
    }
    const rows = summarise(runs, manifest.tests)
    const bestStatic = bestStaticRow(rows, doctorApart)
    printTable(rows, {
      expectedTests: manifest.tests,
      budgetBytes,
      isMemory: key === 'memory',
      bestStatic,
      doctorApart,
    })
    if (doctor) console.log(doctorLine(doctor))
    const suiteTargets = checkTargets(key, rows, budgetBytes, bestStatic, doctorApart)
    allTargets.push(...suiteTargets.map((target) => ({ suite: manifest.suite, ...target })))
    const shares = runs.map((run) => run.otherCpuShare).filter((share) => share !== null)
    const otherShare = shares.length ? Math.max(...shares) : null
    if (otherShare !== null) maxOtherShare = Math.max(maxOtherShare, otherShare)
    results.suites[manifest.suite] = {
      files: manifest.files,
      tests: manifest.tests,
      configs: rows,
      bestStatic: bestStatic?.config ?? null,
      targets: suiteTargets,
      maxOtherCpuShare: otherShare,
      doctor,
      runs: runs.map(({ output: _output, ...run }) => run),
    }
    if (otherShare === null) console.log('other processes: unknown without /proc (compare cpu s with an idle run)')
    else
      console.log(
        `other processes took at most ${percent(otherShare)} of the CPUs during a run (this benchmark's polling included)`,
      )
    if (otherShare !== null && otherShare > noisyOtherShare)
      console.log(`warning: other work competed for the CPUs; wall times are noisy (compare cpu s).`)
  }

  console.log('\ntargets')
  for (const target of allTargets) {
    const verdict = target.met === null ? 'n/a ' : target.met ? 'PASS' : 'FAIL'
    console.log(`  ${verdict}  ${target.suite}: ${target.name}: ${target.detail}`)
  }
  if (args.quick)
    console.log('(quick suites are smaller than the full ones: the verdicts are a smoke test, not the measurement)')
  if (maxOtherShare > noisyOtherShare) {
    console.log(
      `(other processes took up to ${percent(maxOtherShare)} of the CPUs during a run: wall-time verdicts may be noise; rerun idle or with more --rounds)`,
    )
  }
  results.targets = allTargets
  results.benchMs = Number(process.hrtime.bigint() - benchStarted) / 1e6
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nbenchmark took ${(results.benchMs / 60_000).toFixed(1)} min; results in ${resultsPath}`)
}

/**
 * Runs `vitest doctor` on a suite once and returns { wallMs, recommendation, percent, settings, results,
 * failure, outputFile }: settings is null when there is nothing to run (doctor failed, or its recommendation could
 * not be read), {} when it recommends keeping the configuration.
 */
async function consultDoctor(key, runtime) {
  process.stderr.write(`  ${suites[key].name}: vitest doctor (it runs the suite several times) …\n`)
  const dir = suiteDir(key, runtime.major)
  const run = await runDoctor({
    dir,
    node: runtime.node,
    vitestBin: runtime.vitestBin,
    timeoutMs: doctorTimeoutMs,
    onSpawn: (child) => {
      runningVitest = child
    },
  })
  runningVitest = null
  process.stderr.write(`  ${suites[key].name}: vitest doctor took ${seconds(run.wallMs)} s\n`)
  const verdict = run.verdict
  const failure = run.failure ?? (verdict ? null : 'no recommendation this benchmark can read')
  if (failure) console.log(`  vitest doctor: ${failure} (its output: ${run.outputFile}):\n${lastLines(run.output)}`)
  return {
    wallMs: run.wallMs,
    recommendation: verdict?.recommendation ?? null,
    percent: verdict?.percent ?? null,
    settings: failure ? null : verdict.settings,
    results: verdict?.results ?? [],
    failure,
    outputFile: run.outputFile,
  }
}

function doctorLine(doctor) {
  const took = `doctor itself took ${seconds(doctor.wallMs)} s`
  if (doctor.failure) return `doctor: not run (${doctor.failure}); ${took}`
  const measured =
    doctor.percent === null ? '' : ` (${doctor.percent > 0 ? '+' : ''}${doctor.percent}% in its own runs)`
  return `doctor recommended: ${doctor.recommendation}${measured}; the doctor row ran with ${JSON.stringify(doctor.settings)}; ${took}`
}

const lastLines = (output) =>
  output
    .trimEnd()
    .split('\n')
    .slice(-12)
    .map((line) => `    ${line}`)
    .join('\n')

if (!existsSync('/proc/self/stat')) {
  console.error('the worker-scaling benchmark reads process memory from /proc, so it runs on Linux only')
} else {
  main().catch((error) => {
    console.error(`worker-scaling benchmark did not complete: ${error.message}`)
  })
}
