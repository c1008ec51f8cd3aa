#!/usr/bin/env node
// Wall-time overhead of the qtests plugin on a generated, leak-free suite: `app` (default; files import a
// few tiny local modules) or `libs` (files import zod, date-fns and lodash-es through a small application).
//
//   pnpm bench:overhead [--suite app|libs] [--rounds 5] [--files 200|100] [--hunt-files 20] [--quick] [--warm-cache]
//
// By default every plugin run starts without the plugin's clean-file cache (cold: every file is probed).
// --warm-cache primes the cache with one untimed run and keeps it: files measured clean before and
// unchanged since are not probed, as in a developer's repeated runs.
// Measure mode: `vitest run` of the whole suite, plain and with `plugins: [qtests()]`, alternating
// ABBA per round so drift (thermal, page cache, neighbours) hits both sides alike.
// Hunt mode: a subset plain and with QTESTS_LEAKS=hunt, giving the cost of one test iteration.
// Prints a table, writes results-<suite>.json, and always exits 0: a benchmark reports, it does not assert.

import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { childrenCpuMs, median, seconds } from '../lib.mjs'
import { defaultOutDir, generate, generatorVersion, huntIterations, writeConfigs } from './generate.mjs'
import { generateLibs, libsGeneratorVersion, libsOutDir } from './libs.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const vitestBin = join(benchDir, 'node_modules', 'vitest', 'vitest.mjs')
const targetRatio = 1.03

/**
 * The suites by --suite: where each is generated, its file counts (full, --quick), and how to make it.
 * `seeded`: whether --seed means anything to it.
 */
const suites = {
  app: {
    dir: defaultOutDir,
    files: 200,
    quickFiles: 40,
    seeded: true,
    generatorVersion,
    generate: ({ files, seed }) => generate({ files, seed, outDir: defaultOutDir }),
  },
  libs: {
    dir: libsOutDir,
    files: 100,
    quickFiles: 24,
    seeded: false,
    generatorVersion: libsGeneratorVersion,
    generate: ({ files }) => generateLibs({ files }),
  },
}

const flags = {
  suite: { type: 'string', default: 'app' },
  rounds: { type: 'string' },
  files: { type: 'string' },
  'hunt-files': { type: 'string' },
  'hunt-rounds': { type: 'string' },
  seed: { type: 'string' },
  quick: { type: 'boolean', default: false },
  'warm-cache': { type: 'boolean', default: false },
  'confirm-budget': { type: 'string' },
}
let args = {}
// Set in main() from --suite.
let suiteDir = defaultOutDir
let reportDir = join(suiteDir, '.qtests-report')
const positiveInt = (text, fallback, name) => {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`)
  return n
}

/**
 * A hash of the built plugin and core (`dist/`), to tell whether the plugin changed while the
 * benchmark ran: a rebuild mid-run means the rounds measured different code.
 */
function pluginBuildHash() {
  const hash = createHash('sha1')
  let found = false
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.js')) {
        hash.update(full).update(readFileSync(full))
        found = true
      }
    }
  }
  try {
    const pluginDir = realpathSync(join(benchDir, 'node_modules', '@qtests', 'vitest'))
    for (const dir of [
      join(pluginDir, 'dist'),
      join(realpathSync(join(pluginDir, 'node_modules', '@qtests', 'core')), 'dist'),
    ]) {
      if (existsSync(dir)) walk(dir)
    }
  } catch {
    return null
  }
  return found ? hash.digest('hex').slice(0, 12) : null
}

async function ensureSuite(suite, files, seed) {
  const manifestPath = join(suite.dir, 'manifest.json')
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'))
    if (m.generatorVersion === suite.generatorVersion && m.files === files && (!suite.seeded || m.seed === seed)) {
      writeConfigs(suite.dir)
      return m
    }
  }
  process.stdout.write(`generating ${files} test files${suite.seeded ? ` (seed ${seed})` : ''} … `)
  const m = await suite.generate({ files, seed })
  console.log(`${m.tests} tests`)
  return m
}

/**
 * One `vitest run`, timed from spawn to exit. Output is captured (not a TTY, no colours) and kept
 * only to check the run passed and ran the expected number of tests.
 */
function runVitest({ config, filters = [], env = {}, cold = false }) {
  // A cold plugin run forgets which files earlier runs measured clean, so that every file is probed.
  if (cold && env.QTESTS_REPORT_DIR) rmSync(join(env.QTESTS_REPORT_DIR, 'cache', 'measure.json'), { force: true })
  const childEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }
  // A QTESTS_LEAKS left in the caller's shell would silently change what is measured.
  if (!('QTESTS_LEAKS' in env)) delete childEnv.QTESTS_LEAKS
  return new Promise((resolve) => {
    const load = loadavg()[0]
    const cpuBefore = childrenCpuMs()
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [vitestBin, 'run', '--config', config, ...filters], {
      cwd: suiteDir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const cpuAfter = childrenCpuMs()
      const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
      const passed = /Tests\s+(\d+) passed/.exec(output)
      resolve({ ms, cpuMs, load, code, testsPassed: passed ? Number(passed[1]) : null, output })
    })
  })
}

function failureText(run) {
  return `exit code ${run.code}; last lines:\n${run.output.trimEnd().split('\n').slice(-15).join('\n')}`
}

async function main() {
  try {
    ;({ values: args } = parseArgs({ options: flags }))
  } catch (error) {
    throw new Error(
      `${error.message.split('. ')[0]}; the flags are ${Object.keys(flags)
        .map((name) => `--${name}`)
        .join(', ')}.`,
    )
  }
  const suite = suites[args.suite]
  if (!suite) throw new Error(`--suite is ${JSON.stringify(args.suite)}; allowed: ${Object.keys(suites).join(' or ')}.`)
  if (args.seed !== undefined && !suite.seeded)
    throw new Error(`--seed changes the app suite only; the ${args.suite} suite is the same for every seed.`)
  suiteDir = suite.dir
  reportDir = join(suiteDir, '.qtests-report')
  const resultsPath = join(benchDir, `results-${args.suite}.json`)
  const benchStarted = process.hrtime.bigint()
  const buildAtStart = pluginBuildHash()
  const files = positiveInt(args.files, args.quick ? suite.quickFiles : suite.files, 'files')
  const rounds = positiveInt(args.rounds, args.quick ? 2 : 5, 'rounds')
  const huntFiles = Math.min(files, positiveInt(args['hunt-files'], args.quick ? 10 : 20, 'hunt-files'))
  const huntRounds = positiveInt(args['hunt-rounds'], args.quick ? 1 : 2, 'hunt-rounds')
  const seed = positiveInt(args.seed, 1, 'seed')
  const confirmBudget = args['confirm-budget'] === undefined ? undefined : Number(args['confirm-budget'])
  if (confirmBudget !== undefined && !(confirmBudget >= 0 && confirmBudget <= 100))
    throw new Error(`--confirm-budget is ${JSON.stringify(args['confirm-budget'])}; allowed: a number from 0 to 100.`)
  const manifest = await ensureSuite(suite, files, seed)
  const subset = manifest.testFiles.slice(0, huntFiles)
  const subsetFilters = subset.map((f) => f.file)
  const subsetTests = subset.reduce((n, f) => n + f.tests, 0)
  const vitestVersion = JSON.parse(
    readFileSync(join(benchDir, 'node_modules', 'vitest', 'package.json'), 'utf8'),
  ).version

  const plain = { label: 'plain', config: 'vitest.plain.config.mjs' }
  const warmCache = args['warm-cache']
  let plugin = {
    label: 'qtests',
    config: 'vitest.qtests.config.mjs',
    env: {
      QTESTS_REPORT_DIR: join(reportDir, 'measure'),
      ...(confirmBudget === undefined ? {} : { BENCH_CONFIRM_BUDGET: String(confirmBudget) }),
    },
    cold: !warmCache,
  }
  let pluginUnavailable = null

  console.log(
    `qtests overhead, suite ${args.suite}: ${files} files, ${manifest.tests} tests, ${rounds} rounds; ` +
      `Node ${process.version}, Vitest ${vitestVersion}, ${availableParallelism()} CPUs; ` +
      `plugin cache ${warmCache ? 'WARM (files measured clean before and unchanged are not probed)' : 'cold (every file probed)'}`,
  )

  // Warm-up on the subset: page cache, Vite's first transform, the plugin's import. Not counted.
  // A failing plugin run here (not built yet, broken) turns the comparison into plain vs plain,
  // which still shows the noise floor of this machine.
  rmSync(reportDir, { recursive: true, force: true })
  for (const side of [plain, plugin]) {
    const run = await runVitest({ config: side.config, filters: subsetFilters, env: side.env })
    if (run.code !== 0 && side === plain)
      throw new Error(`plain Vitest failed on the generated suite: ${failureText(run)}`)
    if (run.code !== 0) {
      pluginUnavailable = failureText(run)
      console.log(`\nThe plugin run failed, so this compares plain with plain (A/A).\n${pluginUnavailable}\n`)
      plugin = { label: 'plain-B', config: plain.config }
    }
  }

  if (warmCache && !pluginUnavailable) {
    process.stdout.write('priming the plugin cache with one run of the whole suite (not timed) … ')
    const run = await runVitest({ config: plugin.config, env: plugin.env })
    console.log(run.code === 0 ? 'done' : `failed (${failureText(run)})`)
  }

  const col = (text, width) => String(text).padStart(width)
  const cpuSeconds = (ms) => (ms === null ? '–' : seconds(ms))
  const ratioText = (a, b) => (a === null || b === null ? '–' : (a / b).toFixed(3))
  console.log(
    `\nmeasure mode: \`vitest run\` of the whole suite, seconds (wall = what a user waits; cpu = user+sys of the process tree)`,
  )
  console.log(
    `${'round'.padEnd(6)}${'order'.padEnd(20)}${col(`${plain.label} wall`, 12)}${col(`${plugin.label} wall`, 14)}${col('ratio', 7)}` +
      `${col(`${plain.label} cpu`, 11)}${col(`${plugin.label} cpu`, 13)}${col('ratio', 7)}${col('load', 6)}`,
  )
  const perRound = []
  for (let i = 0; i < rounds; i++) {
    // ABBA: even rounds plain first, odd rounds plugin first.
    const order = i % 2 === 0 ? [plain, plugin] : [plugin, plain]
    const row = {}
    const loads = []
    for (const side of order) {
      const run = await runVitest({ config: side.config, env: side.env, cold: side.cold })
      if (run.code !== 0) console.log(`  ${side.label} run failed (${failureText(run)})`)
      if (run.testsPassed !== manifest.tests)
        console.log(`  ${side.label} ran ${run.testsPassed} tests, expected ${manifest.tests}`)
      const key = side === plain ? 'plain' : 'plugin'
      if (key === 'plugin' && !pluginUnavailable) row.probes = readProbeCost(join(reportDir, 'measure', 'report.json'))
      row[`${key}Ms`] = run.ms
      row[`${key}CpuMs`] = run.cpuMs
      loads.push(run.load)
    }
    const ratio = row.pluginMs / row.plainMs
    const cpuRatio = row.plainCpuMs === null ? null : row.pluginCpuMs / row.plainCpuMs
    const load = Math.max(...loads)
    perRound.push({ round: i + 1, order: order.map((s) => s.label), ...row, ratio, cpuRatio, loadAverage1m: load })
    console.log(
      `${String(i + 1).padEnd(6)}${order
        .map((s) => s.label)
        .join(' → ')
        .padEnd(20)}` +
        `${col(seconds(row.plainMs), 12)}${col(seconds(row.pluginMs), 14)}${col(ratio.toFixed(3), 7)}` +
        `${col(cpuSeconds(row.plainCpuMs), 11)}${col(cpuSeconds(row.pluginCpuMs), 13)}${col(ratioText(row.pluginCpuMs, row.plainCpuMs), 7)}` +
        `${col(load.toFixed(1), 6)}`,
    )
  }
  const pick = (key) => perRound.map((r) => r[key])
  const probeRounds = perRound.map((r) => r.probes).filter(Boolean)
  if (probeRounds.length) {
    // What the probes themselves cost, from the plugin's own report (the rest is loading them and Vitest's hooks).
    const per = (key) => median(probeRounds.map((p) => p[key]))
    console.log(
      `probes per round (median): full GCs in ${per('filesWithFullGc')} of ${per('files')} files, ${per('fullGcs')} full GCs in all; ` +
        `forced GCs ${(per('gcMs') / per('files')).toFixed(1)} ms per file, of which young-generation ${(per('youngGcMs') / per('files')).toFixed(1)} ms ` +
        `(${(per('youngGcs') / per('files')).toFixed(1)} per file); ${per('reused')} files not probed (unchanged since measured clean); ` +
        `files confirmed by repeating their tests, per round: ${probeRounds.map((p) => p.confirmed ?? 0).join(', ')}`,
    )
  }
  const plainMs = median(pick('plainMs'))
  const pluginMs = median(pick('pluginMs'))
  // The ratio is the median of the per-round ratios: each round runs both sides back to back, so a machine
  // that slows down during the benchmark (plain runs here drifted 68 → 78 s in one run) moves both sides
  // of a round alike, while the ratio of the two medians can pair a slow plain run with a fast plugin run.
  const ratios = pick('ratio')
  const ratio = median(ratios)
  const hasCpu = perRound.every((r) => r.cpuRatio !== null)
  const plainCpuMs = hasCpu ? median(pick('plainCpuMs')) : null
  const pluginCpuMs = hasCpu ? median(pick('pluginCpuMs')) : null
  const cpuRatios = hasCpu ? pick('cpuRatio') : []
  const cpuRatio = hasCpu ? median(cpuRatios) : null
  console.log(
    `${'median (ratios: paired)'.padEnd(26)}${col(seconds(plainMs), 12)}${col(seconds(pluginMs), 14)}${col(ratio.toFixed(3), 7)}` +
      `${col(cpuSeconds(plainCpuMs), 11)}${col(cpuSeconds(pluginCpuMs), 13)}${col(cpuRatio === null ? '–' : cpuRatio.toFixed(3), 7)}`,
  )
  const range = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`
  const verdict = pluginUnavailable ? 'not applicable (A/A)' : ratio <= targetRatio ? 'met' : 'NOT met'
  console.log(
    `\nwall ratio ${plugin.label}/${plain.label} = ${ratio.toFixed(3)}, median of the paired rounds (per round ${range(ratios)}); target ≤ ${targetRatio}: ${verdict}`,
  )
  if (hasCpu)
    console.log(`cpu  ratio ${plugin.label}/${plain.label} = ${cpuRatio.toFixed(3)} (per round ${range(cpuRatios)})`)
  const plainTimes = pick('plainMs')
  console.log(
    `plain wall spread ${seconds(Math.min(...plainTimes))}–${seconds(Math.max(...plainTimes))} s; ` +
      `${(plainMs / files).toFixed(0)} ms per file plain, ${(((ratio - 1) * plainMs) / files).toFixed(1)} ms per file added`,
  )
  const maxLoad = Math.max(...pick('loadAverage1m'))
  if (maxLoad > availableParallelism()) {
    console.log(
      `warning: 1-minute load average reached ${maxLoad.toFixed(1)} on ${availableParallelism()} CPUs — other work competed ` +
        'for the CPUs, so wall times are noisy; trust the cpu ratio more, or rerun on an idle machine.',
    )
  }
  let hunt = { skipped: 'the plugin is not available' }
  if (!pluginUnavailable) {
    const huntSide = {
      label: 'hunt',
      config: 'vitest.hunt.config.mjs',
      env: { QTESTS_LEAKS: 'hunt', QTESTS_REPORT_DIR: join(reportDir, 'hunt') },
    }
    console.log(
      `\nhunt mode: ${huntFiles} files, ${subsetTests} tests × ${huntIterations} iterations, ${huntRounds} round(s)`,
    )
    const runs = { plain: [], hunt: [] }
    for (let i = 0; i < huntRounds; i++) {
      const order = i % 2 === 0 ? [plain, huntSide] : [huntSide, plain]
      for (const side of order) {
        const run = await runVitest({ config: side.config, filters: subsetFilters, env: side.env })
        if (run.code !== 0) console.log(`  ${side.label} run failed (${failureText(run)})`)
        runs[side === plain ? 'plain' : 'hunt'].push({ ms: run.ms, cpuMs: run.cpuMs, loadAverage1m: run.load })
      }
    }
    const iterationsSeen = readHuntIterations(join(reportDir, 'hunt', 'report.json'))
    if (iterationsSeen !== null && iterationsSeen !== huntIterations) {
      console.log(
        `  note: report.json shows a median of ${iterationsSeen} iterations per test, configured ${huntIterations}`,
      )
    }
    const testIterations = subsetTests * huntIterations
    const huntPlainMs = median(runs.plain.map((r) => r.ms))
    const huntMs = median(runs.hunt.map((r) => r.ms))
    const perIterationMs = (huntMs - huntPlainMs) / testIterations
    const hasHuntCpu = [...runs.plain, ...runs.hunt].every((r) => r.cpuMs !== null)
    const perIterationCpuMs = hasHuntCpu
      ? (median(runs.hunt.map((r) => r.cpuMs)) - median(runs.plain.map((r) => r.cpuMs))) / testIterations
      : null
    hunt = {
      files: huntFiles,
      tests: subsetTests,
      iterations: huntIterations,
      iterationsInReport: iterationsSeen,
      runs,
      plainMs: huntPlainMs,
      huntMs,
      perIterationMs,
      perIterationCpuMs,
    }
    console.log(`plain ${seconds(huntPlainMs)} s, hunt ${seconds(huntMs)} s wall (median of ${huntRounds})`)
    console.log(
      `cost per test iteration: ${perIterationMs.toFixed(2)} ms wall` +
        (hasHuntCpu ? `, ${perIterationCpuMs.toFixed(2)} ms cpu` : '') +
        `  ((hunt − plain) / (${subsetTests} tests × ${huntIterations} iterations); includes re-running the test body)`,
    )
  }

  const buildAtEnd = pluginBuildHash()
  if (buildAtStart !== buildAtEnd) {
    console.log(
      `\nwarning: the plugin's dist/ changed during the benchmark (${buildAtStart} → ${buildAtEnd}); ` +
        'rounds may have measured different builds. Rerun without rebuilding in parallel.',
    )
  }
  const benchMs = Number(process.hrtime.bigint() - benchStarted) / 1e6
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    vitest: vitestVersion,
    cpus: availableParallelism(),
    comparison: pluginUnavailable ? 'plain-vs-plain' : 'plain-vs-qtests',
    pluginBuild: { atStart: buildAtStart, atEnd: buildAtEnd },
    pluginUnavailable,
    pluginCache: warmCache ? 'warm' : 'cold',
    suite: {
      name: args.suite,
      files,
      tests: manifest.tests,
      seed: suite.seeded ? seed : null,
      generatorVersion: suite.generatorVersion,
    },
    measure: {
      rounds: perRound,
      plainMs,
      pluginMs,
      ratio,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      plainCpuMs,
      pluginCpuMs,
      cpuRatio,
      cpuRatioMin: hasCpu ? Math.min(...cpuRatios) : null,
      cpuRatioMax: hasCpu ? Math.max(...cpuRatios) : null,
      maxLoadAverage1m: maxLoad,
      targetRatio,
    },
    hunt,
    benchMs,
  }
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nbenchmark took ${(benchMs / 60000).toFixed(1)} min; results in ${resultsPath}`)
}

/** Forced-GC counts and times over the files of a measure-mode report, or null if there is no report. */
function readProbeCost(path) {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8'))
    const cost = {
      files: report.files.length,
      filesWithFullGc: 0,
      fullGcs: 0,
      gcMs: 0,
      youngGcs: 0,
      youngGcMs: 0,
      reused: 0,
      confirmed: 0,
    }
    for (const file of report.files) {
      if (file.reused) cost.reused++
      if (file.confirmed) cost.confirmed++
      const probe = file.probe ?? {}
      if (probe.gcCount) cost.filesWithFullGc++
      cost.fullGcs += probe.gcCount ?? 0
      cost.gcMs += probe.gcMs ?? 0
      cost.youngGcs += probe.youngGcCount ?? 0
      cost.youngGcMs += probe.youngGcMs ?? 0
    }
    return cost
  } catch {
    return null
  }
}

/** Median `iterations` over the tests in a hunt-mode report, or null if there is no report. */
function readHuntIterations(path) {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8'))
    const iterations = report.files
      .flatMap((f) => f.tests.map((t) => t.iterations))
      .filter((n) => typeof n === 'number')
    return iterations.length ? median(iterations) : null
  } catch {
    return null
  }
}

main().catch((error) => {
  console.error(`overhead benchmark did not complete: ${error.message}`)
  process.exitCode = 0
})
