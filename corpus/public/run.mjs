#!/usr/bin/env node
// Runs a public project's Vitest suite with the qtests plugin added, without editing their config,
// and reports what the plugin said (verdicts) and whether it changed any test's outcome.
//
//   node corpus/public/run.mjs <suite name from suites.json | checkout dir> [options] [-- more vitest args]
//
//   --mode M[,M…]    plain | off | measure | hunt (default measure). plain: their own config, no plugin
//                    (the timing and outcome baseline). Several modes alternate within each round.
//   --rounds N       rounds (default 1)
//   --files N        only a deterministic subset of N test files (evenly spaced in sorted order), passed
//                    to Vitest as file filters; the same subset for every mode and round
//   --iterations N   hunt: runs per test (default: the plugin's, 24)
//   --adaptive       adaptive workers on (default off: workers: { adaptive: false })
//   --confirm-budget X  measure: leaks.confirmBudget X (default: the plugin's, twice the run, at least 90 s)
//   --reuse-clean    measure: leaks.reuseClean true (default false: every file probed); the runs of the
//                    invocation then share one report dir (<out>/qtests-shared, copied to each run's dir)
//                    so that a later run can reuse what an earlier one measured clean
//   --out DIR        results (default /work/public-suites/_runs/<suite>/<timestamp>)
//   --baseline DIR   an earlier --out DIR whose plain runs are the outcome baseline when this run has none
//   --plugin copy|direct  copy (default): a copy of packages/{vitest,core}/dist inside the suite's
//                    node_modules, so the plugin's `import 'vitest'` is the suite's Vitest (as when
//                    installed from a registry); direct: import <packages>/vitest/dist itself
//   --packages DIR   where the built plugin is: DIR/vitest and DIR/core (default: this repo's packages/;
//                    pass a frozen build to keep a baseline's plugin fixed while the repo moves on)
//   --vitest 5       the suite's Vitest 5.1 checkout (<name>-vitest5, from setup.mjs --vitest 5), run with
//                    Node 22 first on PATH (default 4: the <name> checkout on this Node)
//   --timeout S      kill a run after S seconds (default 1800)
//   --keep           keep the generated wrapper configs
//
// Writes <out>/<mode>-r<round>/{output.log,vitest.json,outcomes.json,qtests/report.json}, and
// <out>/summary.json and <out>/summary.md; prints one line per run and the summary at the end.
// Only Node built-ins; no file of the suite is changed (wrappers are written beside their config and
// deleted after the run, the plugin copy lives in their node_modules/.qtests-harness-<tag>).

import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')
const suitesFile = join(here, 'suites.json')
const defaultCheckouts = '/work/public-suites'
const modes = ['plain', 'off', 'measure', 'hunt']
const verdicts = ['leak', 'suspect', 'clean', 'unknown']
const configNames = ['vitest.config', 'vite.config'].flatMap((name) =>
  ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => name + ext),
)

const argv = process.argv.slice(2)
const dashDash = argv.indexOf('--')
const { values: opts, positionals } = parseArgs({
  args: dashDash === -1 ? argv : argv.slice(0, dashDash),
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'measure' },
    rounds: { type: 'string', default: '1' },
    files: { type: 'string' },
    iterations: { type: 'string' },
    adaptive: { type: 'boolean', default: false },
    'confirm-budget': { type: 'string' },
    'reuse-clean': { type: 'boolean', default: false },
    out: { type: 'string' },
    baseline: { type: 'string' },
    plugin: { type: 'string', default: 'copy' },
    packages: { type: 'string' },
    timeout: { type: 'string', default: '1800' },
    vitest: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const extraArgs = dashDash === -1 ? [] : argv.slice(dashDash + 1)

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`)
  const head = readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1, 25)
  console.error(head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'))
  process.exit(message ? 2 : 0)
}

if (opts.help) usage()
if (positionals.length !== 1) usage('give one suite (a name from suites.json or a checkout directory)')
const runModes = opts.mode.split(',').map((m) => m.trim())
for (const m of runModes) if (!modes.includes(m)) usage(`unknown mode '${m}' (${modes.join(', ')})`)
const rounds = Number(opts.rounds)
if (!Number.isInteger(rounds) || rounds < 1) usage('--rounds takes a positive integer')
const fileCount = opts.files === undefined ? null : Number(opts.files)
if (fileCount !== null && (!Number.isInteger(fileCount) || fileCount < 1)) usage('--files takes a positive integer')
if (!['copy', 'direct'].includes(opts.plugin)) usage('--plugin is copy or direct')
if (!['4', '5'].includes(opts.vitest)) usage(`--vitest is ${opts.vitest}; allowed: 4 or 5`)
const timeoutMs = Number(opts.timeout) * 1000

// ---------------------------------------------------------------- the suite

function loadSuites() {
  if (!existsSync(suitesFile)) return []
  return JSON.parse(readFileSync(suitesFile, 'utf8')).suites ?? []
}

function resolveSuite(target) {
  const suites = loadSuites()
  const byName = suites.find((s) => s.name === target)
  const checkoutOf = (s) =>
    resolve(s.checkout ?? join(defaultCheckouts, opts.vitest === '5' ? `${s.name}-vitest5` : s.name))
  if (byName) return { ...byName, testDir: resolve(checkoutOf(byName), byName.dir ?? '.') }
  const dir = resolve(target)
  if (!existsSync(dir)) usage(`no suite named '${target}' in suites.json and no directory ${dir}`)
  const known = suites.find((s) => resolve(checkoutOf(s), s.dir ?? '.') === dir)
  if (known) return { ...known, testDir: dir }
  return { name: basename(dir), testDir: dir, args: [] }
}

const suite = resolveSuite(positionals[0])
const testDir = suite.testDir
const vitestBin = join(testDir, 'node_modules', '.bin', 'vitest')
if (!existsSync(vitestBin)) usage(`${vitestBin} is missing: install the suite first (see suites.json / README.md)`)
const userConfig = suite.config
  ? resolve(testDir, suite.config)
  : (configNames.map((n) => join(testDir, n)).find((f) => existsSync(f)) ?? null)
const suiteArgs = [...(suite.args ?? []), ...(suite.exclude ?? []).flatMap((g) => ['--exclude', g]), ...extraArgs]

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
const outDir = resolve(opts.out ?? join(defaultCheckouts, '_runs', suite.name, stamp))
mkdirSync(outDir, { recursive: true })

// ---------------------------------------------------------------- the plugin

const packagesDir = resolve(opts.packages ?? join(repoRoot, 'packages'))
const pluginDist = join(packagesDir, 'vitest', 'dist')
const coreDist = join(packagesDir, 'core', 'dist')
if (!existsSync(join(pluginDist, 'index.js')) || !existsSync(join(coreDist, 'index.js')))
  usage(`the plugin is not built (${pluginDist}): run 'pnpm build' in ${repoRoot}`)

function hashDir(dir) {
  const hash = createHash('sha1')
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (!name.endsWith('.map')) hash.update(relative(dir, p)).update(readFileSync(p))
    }
  }
  walk(dir)
  return hash.digest('hex').slice(0, 12)
}

function git(args, cwd) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

// A frozen build (--packages) says where it came from in a .commit file beside its packages/ folder.
const frozenCommit = existsSync(join(packagesDir, '..', '.commit'))
  ? readFileSync(join(packagesDir, '..', '.commit'), 'utf8')
      .trim()
      .split('\n')[0]
      .replace(/^([0-9a-f]{7})[0-9a-f]{33}$/, '$1')
  : null
const build = {
  packages: packagesDir,
  commit: frozenCommit ?? git(['rev-parse', '--short', 'HEAD'], repoRoot),
  dirty: frozenCommit ? false : (git(['status', '--porcelain', '--', 'packages'], repoRoot) ?? '') !== '',
  distHash: `${hashDir(pluginDist)}/${hashDir(coreDist)}`,
}

/**
 * A copy of the built plugin inside the suite's node_modules, laid out as a registry install would
 * be: its `import 'vitest'` then resolves to the suite's Vitest (the copy's parent node_modules), not to
 * the monorepo's. Two copies of Vitest in one worker would be a harness artefact, not the plugin's.
 */
function installPluginCopy() {
  const base = join(harnessCopyDir, 'node_modules')
  rmSync(harnessCopyDir, { recursive: true, force: true })
  const put = (from, name, only) => {
    const to = join(base, name)
    mkdirSync(to, { recursive: true })
    for (const entry of only ?? readdirSync(from)) {
      if (entry === 'node_modules') continue
      cpSync(join(from, entry), join(to, entry), { recursive: true, dereference: true })
    }
  }
  put(join(packagesDir, 'vitest'), '@qtests/vitest', ['package.json', 'dist'])
  put(join(packagesDir, 'core'), '@qtests/core', ['package.json', 'dist'])
  // the runtime dependencies of both packages and theirs, from the build's (or this repo's) install
  const copied = new Set()
  const putDependencies = (pkgDir, fallbackDir) => {
    const { dependencies = {} } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
    for (const [dep, version] of Object.entries(dependencies)) {
      if (String(version).startsWith('workspace:') || copied.has(dep)) continue
      // looked up as Node would, folder by folder (a package's `exports` may not list its package.json)
      let from
      for (let dir of [pkgDir, fallbackDir].filter(Boolean)) {
        for (; !from && dir !== dirname(dir); dir = dirname(dir)) {
          const candidate = join(dir, 'node_modules', dep)
          if (existsSync(join(candidate, 'package.json'))) from = realpathSync(candidate)
        }
      }
      if (!from) throw new Error(`run.mjs: cannot find ${dep}, a dependency of ${pkgDir}: install the plugin's build`)
      copied.add(dep)
      put(from, dep)
      putDependencies(from)
    }
  }
  putDependencies(join(packagesDir, 'vitest'), join(repoRoot, 'packages', 'vitest'))
  putDependencies(join(packagesDir, 'core'), join(repoRoot, 'packages', 'core'))
  const entry = join(base, '@qtests', 'vitest', 'dist', 'index.js')
  return entry
}

// Everything the harness writes into the suite's folder is named after the --out dir: two harness runs on one suite
// (different builds, or modes side by side) must not overwrite or delete each other's files, while a later
// invocation with the same --out (and --reuse-clean) finds the same config path, so the plugin's cache still holds.
const runTag = createHash('sha1').update(resolve(outDir)).digest('hex').slice(0, 8)
const harnessCopyDir = join(testDir, 'node_modules', `.qtests-harness-${runTag}`)

function suiteVitest() {
  const fromSuite = createRequire(join(testDir, 'package.json'))
  const pkg = realpathSync(fromSuite.resolve('vitest/package.json'))
  return { dir: dirname(pkg), version: JSON.parse(readFileSync(pkg, 'utf8')).version }
}

const vitestOfSuite = suiteVitest()
const suiteMajor = vitestOfSuite.version.split('.')[0]
if (suiteMajor !== opts.vitest)
  usage(
    `${testDir} has Vitest ${vitestOfSuite.version}, not ${opts.vitest}.x (setup.mjs --vitest ${opts.vitest} makes one)`,
  )
// Vitest 5 needs Node ≥ 22.12: the Node 22 the plugin's own Vitest 5 tests use, first on the runs' PATH.
const nodeDir =
  opts.vitest === '5'
    ? dirname(await (await import('../../packages/test-utils/dist/index.js')).node22())
    : dirname(process.execPath)
const nodeVersion = spawnSync(join(nodeDir, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim()
let pluginEntry = join(pluginDist, 'index.js')
if (opts.plugin === 'copy') {
  pluginEntry = installPluginCopy()
  const seen = dirname(realpathSync(createRequire(pluginEntry).resolve('vitest/package.json')))
  if (seen !== vitestOfSuite.dir)
    console.warn(`run.mjs: the plugin copy sees Vitest at ${seen}, the suite runs ${vitestOfSuite.dir}`)
}

// ---------------------------------------------------------------- wrapper config

const wrapperFile = join(userConfig ? dirname(userConfig) : testDir, `vitest.qtests-${runTag}.config.mjs`)
const manifestFile = join(outDir, '.generated-files')

function pluginOptions(mode) {
  const leaks = { mode: mode === 'off' ? 'off' : mode, reuseClean: opts['reuse-clean'] }
  if (opts.iterations) leaks.iterations = Number(opts.iterations)
  if (opts['confirm-budget'] !== undefined) leaks.confirmBudget = Number(opts['confirm-budget'])
  return { leaks, workers: { adaptive: opts.adaptive } }
}

function writeWrapper(mode) {
  const harness = {
    pluginUrl: pathToFileURL(pluginEntry).href,
    options: pluginOptions(mode),
    helper: join(here, 'wrap.mjs'),
    root: testDir,
    userConfig: userConfig ?? '',
    wrapper: wrapperFile,
    manifest: manifestFile,
    tag: runTag,
    vitestMajor: Number(suiteMajor),
  }
  const lines = [
    '// Written by corpus/public/run.mjs (qtests harness) for one run; deleted after it. Not part of the suite.',
    userConfig
      ? `import * as user from ${JSON.stringify(`./${basename(userConfig)}`)}`
      : 'const user = { default: {} }',
    `import { withQtests } from ${JSON.stringify(harness.helper)}`,
    `const harness = ${JSON.stringify(harness)}`,
    'export default (env) => withQtests(user.default, env, harness)',
    '',
  ]
  // Unchanged content is not rewritten: the plugin's reuse of clean files fingerprints the config file's mtime.
  const text = lines.join('\n')
  if (!existsSync(wrapperFile) || readFileSync(wrapperFile, 'utf8') !== text) writeFileSync(wrapperFile, text)
  writeFileSync(manifestFile, `${wrapperFile}\n`, { flag: 'a' })
}

function removeGenerated(final = false) {
  if (final && !opts.keep) rmSync(harnessCopyDir, { recursive: true, force: true })
  if (opts.keep || !existsSync(manifestFile)) return
  for (const f of new Set(readFileSync(manifestFile, 'utf8').split('\n').filter(Boolean))) rmSync(f, { force: true })
  rmSync(manifestFile, { force: true })
}

// ---------------------------------------------------------------- measuring a run

const ticks = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  return Number(r.stdout?.trim()) || 100
})()

/** user + sys CPU of this process's reaped children (Vitest reaps its workers), ms. */
function childrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(f[13]) + Number(f[14])) * 1000) / ticks
}

/** CPU every core of the machine spent busy since boot, ms. */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal = 0] = f
  return ((user + nice + system + irq + softirq + steal) * 1000) / ticks
}

function runVitest(args, env, logFile) {
  return new Promise((resolveRun) => {
    const cpu0 = childrenCpuMs()
    const busy0 = machineBusyMs()
    const load0 = loadavg()[0]
    const t0 = performance.now()
    const child = spawn(vitestBin, args, { cwd: testDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    const chunks = []
    child.stdout.on('data', (c) => chunks.push(c))
    child.stderr.on('data', (c) => chunks.push(c))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const wallMs = performance.now() - t0
      const cpuMs = childrenCpuMs() - cpu0
      const othersMs = machineBusyMs() - busy0 - cpuMs
      writeFileSync(logFile, Buffer.concat(chunks))
      resolveRun({
        exitCode: code,
        signal,
        timedOut,
        wallMs,
        cpuMs,
        othersShare: Math.max(0, othersMs / (wallMs * availableParallelism())),
        load: [load0, loadavg()[0]],
      })
    })
  })
}

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')
const stripAnsi = (s) => s.replace(ansi, '')

function relFile(file) {
  return relative(testDir, file).split('\\').join('/')
}

/** Per-test outcomes from Vitest's JSON reporter: `file > full name` → passed | failed | skipped | todo. */
function readOutcomes(jsonFile) {
  if (!existsSync(jsonFile)) return null
  const data = JSON.parse(readFileSync(jsonFile, 'utf8'))
  const tests = {}
  const failures = {}
  const fileErrors = {}
  for (const result of data.testResults ?? []) {
    const file = relFile(result.name)
    if (result.status === 'failed' && result.message) fileErrors[file] = stripAnsi(result.message).slice(0, 2000)
    for (const a of result.assertionResults ?? []) {
      let key = `${file} > ${a.fullName}`
      for (let n = 2; key in tests; n++) key = `${file} > ${a.fullName} #${n}`
      tests[key] = a.status === 'pending' ? 'skipped' : a.status
      if (a.status === 'failed') failures[key] = stripAnsi((a.failureMessages ?? []).join('\n')).slice(0, 2000)
    }
  }
  const count = (s) => Object.values(tests).filter((v) => v === s).length
  return {
    files: (data.testResults ?? []).map((r) => relFile(r.name)),
    counts: {
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped') + count('todo'),
      total: Object.keys(tests).length,
      failedFiles: Object.keys(fileErrors).length,
    },
    tests,
    failures,
    fileErrors,
  }
}

function readReport(reportFile) {
  if (!existsSync(reportFile)) return null
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  const fileCounts = Object.fromEntries(verdicts.map((v) => [v, 0]))
  const testCounts = Object.fromEntries(verdicts.map((v) => [v, 0]))
  const flagged = []
  for (const f of report.files ?? []) {
    fileCounts[f.verdict] = (fileCounts[f.verdict] ?? 0) + 1
    for (const t of f.tests ?? []) testCounts[t.verdict] = (testCounts[t.verdict] ?? 0) + 1
    if (f.verdict === 'leak' || f.verdict === 'suspect')
      flagged.push({
        level: 'file',
        file: f.file,
        project: f.project,
        verdict: f.verdict,
        growthBytesPerTest: f.growthBytesPerTest,
        retainedBytes: f.retainedBytes,
        confidence: f.confidence,
        reason: f.reason,
        tests: (f.tests ?? []).length,
        confirmed: f.confirmed ?? false,
        samples: f.samples,
      })
    for (const t of f.tests ?? [])
      if (t.verdict === 'leak' || t.verdict === 'suspect')
        flagged.push({
          level: 'test',
          file: f.file,
          project: f.project,
          test: t.name,
          verdict: t.verdict,
          bytesPerIteration: t.bytesPerIteration,
          confidence: t.confidence,
          iterations: t.iterations,
          reason: t.reason,
          allocationSites: (t.allocationSites ?? []).slice(0, 5),
          tooling: t.tooling,
          samples: t.samples,
        })
  }
  const unknownReasons = {}
  for (const f of report.files ?? [])
    if (f.verdict === 'unknown') {
      const r = (f.reason ?? '').replace(/\d+/g, 'N')
      unknownReasons[r] = (unknownReasons[r] ?? 0) + 1
    }
  return {
    mode: report.mode,
    outcome: report.outcome,
    durationMs: report.durationMs,
    summary: report.summary,
    files: fileCounts,
    tests: testCounts,
    flagged,
    unknownReasons,
    fileVerdicts: Object.fromEntries((report.files ?? []).map((f) => [f.file, f.verdict])),
    workers: report.workers
      ? {
          adaptive: report.workers.adaptive,
          peakConcurrency: report.workers.peakConcurrency,
          retries: report.workers.retries,
        }
      : null,
    probeGcMs: (report.files ?? []).reduce((s, f) => s + (f.probe?.gcMs ?? 0), 0),
  }
}

/** Outcome changes of a run against a reference (plain) run, over the tests both ran. */
function compareOutcomes(run, reference) {
  if (!run || !reference) return null
  const inRun = new Set(run.files)
  const changed = []
  let same = 0
  let onlyReference = 0
  for (const [key, status] of Object.entries(reference.tests)) {
    const file = key.slice(0, key.indexOf(' > '))
    if (!inRun.has(file)) continue
    if (!(key in run.tests)) {
      onlyReference++
      continue
    }
    if (run.tests[key] === status) same++
    else changed.push({ test: key, reference: status, now: run.tests[key], error: run.failures[key] ?? null })
  }
  const onlyRun = Object.keys(run.tests).filter((k) => !(k in reference.tests)).length
  const newFileErrors = Object.entries(run.fileErrors)
    .filter(([f]) => !(f in reference.fileErrors))
    .map(([file, error]) => ({ file, error }))
  return { same, changed, onlyReference, onlyRun, newFileErrors }
}

// ---------------------------------------------------------------- the file subset

function listFiles() {
  const listFile = join(outDir, 'files-all.json')
  const args = ['list', '--filesOnly', `--json=${listFile}`, ...suiteArgs]
  const r = spawnSync(vitestBin, args, { cwd: testDir, encoding: 'utf8', env: cleanEnv() })
  if (!existsSync(listFile)) {
    console.error(r.stdout, r.stderr)
    throw new Error('vitest list failed')
  }
  const files = [...new Set(JSON.parse(readFileSync(listFile, 'utf8')).map((e) => e.file))]
  return files.map(relFile).sort()
}

function pickFiles(all, n) {
  if (n >= all.length) return all
  return Array.from({ length: n }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / n)])
}

function cleanEnv() {
  const env = { ...process.env, PATH: `${nodeDir}:${process.env.PATH}` }
  for (const k of Object.keys(env)) if (k.startsWith('QTESTS_') || k === 'VITEST' || k === 'NODE_ENV') delete env[k]
  return env
}

// ---------------------------------------------------------------- main

const fmtS = (ms) => (ms / 1000).toFixed(1)
const kb = (b) => (b === null || b === undefined ? '—' : `${(b / 1024).toFixed(1)} KB`)
const verdictLine = (c) => (c ? verdicts.map((v) => `${v} ${c[v] ?? 0}`).join(' / ') : '—')

let subset = null
if (fileCount !== null) {
  const all = listFiles()
  subset = pickFiles(all, fileCount)
  writeFileSync(join(outDir, 'files-subset.json'), `${JSON.stringify(subset, null, 2)}\n`)
  console.log(`run.mjs: ${subset.length} of ${all.length} test files: ${subset.join(' ')}`)
}

let baselinePlain = null
if (opts.baseline) {
  const s = JSON.parse(readFileSync(join(resolve(opts.baseline), 'summary.json'), 'utf8'))
  const plain = s.runs.find((r) => r.mode === 'plain' && r.outcomesFile)
  if (plain) baselinePlain = { ...JSON.parse(readFileSync(plain.outcomesFile, 'utf8')), from: plain.outcomesFile }
}

const meta = {
  suite: { name: suite.name, repo: suite.repo ?? null, commit: suite.commit ?? null, testDir, config: userConfig },
  args: suiteArgs,
  subset,
  plugin: { ...build, source: opts.plugin, entry: pluginEntry },
  options: {
    modes: runModes,
    rounds,
    files: fileCount,
    iterations: opts.iterations ?? null,
    adaptive: opts.adaptive,
    reuseClean: opts['reuse-clean'],
  },
  vitest: vitestOfSuite.version,
  node: process.version,
  cpus: availableParallelism(),
  startedAt: new Date().toISOString(),
}
console.log(
  `run.mjs: ${suite.name} (${testDir}) vitest ${vitestOfSuite.version}, plugin ${build.commit}${build.dirty ? '+dirty' : ''} dist ${build.distHash} (${opts.plugin}), out ${outDir}`,
)

const runs = []
process.on('SIGINT', () => {
  removeGenerated(true)
  process.exit(130)
})

for (let round = 1; round <= rounds; round++) {
  for (const mode of runModes) {
    const runDir = join(outDir, `${mode}-r${round}`)
    rmSync(runDir, { recursive: true, force: true })
    mkdirSync(runDir, { recursive: true })
    const env = cleanEnv()
    const args = ['run']
    if (mode !== 'plain') {
      writeWrapper(mode)
      args.push('--config', wrapperFile)
      env.QTESTS_LEAKS = mode
      env.QTESTS_REPORT_DIR = opts['reuse-clean'] ? join(outDir, 'qtests-shared') : join(runDir, 'qtests')
    }
    const jsonFile = join(runDir, 'vitest.json')
    args.push(...suiteArgs, ...(subset ?? []), '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`)
    const measured = await runVitest(args, env, join(runDir, 'output.log'))
    // with --reuse-clean the wrappers stay until the end, so that their mtimes (fingerprinted) do not change
    if (mode !== 'plain' && !opts['reuse-clean']) removeGenerated()
    if (mode !== 'plain' && opts['reuse-clean'] && existsSync(join(outDir, 'qtests-shared')))
      for (const f of ['report.json', 'report.html'])
        if (existsSync(join(outDir, 'qtests-shared', f))) {
          mkdirSync(join(runDir, 'qtests'), { recursive: true })
          cpSync(join(outDir, 'qtests-shared', f), join(runDir, 'qtests', f))
        }
    const outcomes = readOutcomes(jsonFile)
    if (outcomes) writeFileSync(join(runDir, 'outcomes.json'), `${JSON.stringify(outcomes, null, 1)}\n`)
    const report = mode === 'plain' ? null : readReport(join(runDir, 'qtests', 'report.json'))
    const run = {
      mode,
      round,
      dir: runDir,
      command: `${vitestBin} ${args.join(' ')}`,
      ...measured,
      counts: outcomes?.counts ?? null,
      outcomesFile: outcomes ? join(runDir, 'outcomes.json') : null,
      report,
      _outcomes: outcomes,
    }
    runs.push(run)
    const c = run.counts
    console.log(
      [
        `${mode.padEnd(7)} r${round}`,
        `wall ${fmtS(run.wallMs)}s cpu ${fmtS(run.cpuMs)}s (others ${(run.othersShare * 100).toFixed(0)}%, load ${run.load.map((l) => l.toFixed(1)).join('→')})`,
        `exit ${run.exitCode ?? run.signal}${run.timedOut ? ' TIMEOUT' : ''}`,
        c
          ? `tests ${c.passed} passed / ${c.failed} failed / ${c.skipped} skipped${c.failedFiles ? ` / ${c.failedFiles} files failed` : ''}`
          : 'no Vitest JSON',
        report ? `files ${verdictLine(report.files)}` : '',
        report && mode === 'hunt' ? `tests ${verdictLine(report.tests)}` : '',
        mode !== 'plain' && !report ? 'NO report.json' : '',
      ]
        .filter(Boolean)
        .join(' · '),
    )
  }
}
removeGenerated(true)

// ---------------------------------------------------------------- summary

const firstPlain = runs.find((r) => r.mode === 'plain' && r._outcomes)?._outcomes ?? baselinePlain
for (const run of runs) {
  if (run.mode === 'plain') {
    run.comparison = run._outcomes === firstPlain ? null : compareOutcomes(run._outcomes, firstPlain)
  } else run.comparison = compareOutcomes(run._outcomes, firstPlain)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null
}
const byMode = Object.fromEntries(
  runModes.map((m) => {
    const rs = runs.filter((r) => r.mode === m)
    return [
      m,
      { wallMedianMs: median(rs.map((r) => r.wallMs)), cpuMedianMs: median(rs.map((r) => r.cpuMs)), rounds: rs.length },
    ]
  }),
)

/** Which files (measure) or tests (hunt) were flagged in which rounds. */
function stability(mode) {
  const rs = runs.filter((r) => r.mode === mode && r.report)
  const seen = {}
  for (const r of rs)
    for (const f of r.report.flagged) {
      if (mode === 'measure' && f.level !== 'file') continue
      if (mode === 'hunt' && f.level !== 'test') continue
      const key = f.level === 'file' ? f.file : `${f.file} > ${f.test}`
      seen[key] ??= {}
      seen[key][`r${r.round}`] = f.verdict
    }
  return { rounds: rs.length, flagged: seen }
}

const summary = {
  ...meta,
  finishedAt: new Date().toISOString(),
  outDir,
  baseline:
    firstPlain === baselinePlain && baselinePlain
      ? baselinePlain.from
      : firstPlain
        ? 'plain run in this invocation'
        : null,
  byMode,
  stability: Object.fromEntries(runModes.filter((m) => m === 'measure' || m === 'hunt').map((m) => [m, stability(m)])),
  runs: runs.map(({ _outcomes, ...r }) => r),
}
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)

const md = []
md.push(`# ${suite.name}: ${runModes.join(', ')} × ${rounds}`)
md.push('')
md.push(
  `- suite: ${suite.repo ?? '?'} @ ${suite.commit ?? '?'} — ${testDir}${suiteArgs.length ? ` — args \`${suiteArgs.join(' ')}\`` : ''}`,
)
md.push(
  `- Vitest ${vitestOfSuite.version}, Node ${nodeVersion}, ${availableParallelism()} CPUs; plugin build ${build.commit}${build.dirty ? '+dirty' : ''} (dist ${build.distHash}, ${opts.plugin})`,
)
md.push(
  `- options: ${JSON.stringify(pluginOptions('measure').workers)} reuseClean ${opts['reuse-clean']}${opts['confirm-budget'] !== undefined ? `, confirmBudget ${opts['confirm-budget']}` : ''}${opts.iterations ? `, iterations ${opts.iterations}` : ''}${subset ? `; ${subset.length} files: ${subset.join(', ')}` : ''}`,
)
md.push(`- outcome baseline: ${summary.baseline ?? 'none (no plain run)'}`)
md.push('')
md.push(
  '| mode | round | wall s | CPU s | others | load | exit | passed | failed | skipped | files leak/suspect/clean/unknown | tests leak/suspect/clean/unknown | outcomes vs plain |',
)
md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const r of runs) {
  const c = r.counts
  const rep = r.report
  const cmp = r.comparison
  const vs = cmp
    ? cmp.changed.length || cmp.newFileErrors.length
      ? `**${cmp.changed.length} changed, ${cmp.newFileErrors.length} new file errors**`
      : `same (${cmp.same})`
    : '—'
  const v = (x) => (x ? verdicts.map((k) => x[k] ?? 0).join('/') : '—')
  md.push(
    `| ${r.mode} | ${r.round} | ${fmtS(r.wallMs)} | ${fmtS(r.cpuMs)} | ${(r.othersShare * 100).toFixed(0)}% | ${r.load.map((l) => l.toFixed(1)).join('→')} | ${r.exitCode ?? r.signal}${r.timedOut ? ' (timeout)' : ''} | ${c?.passed ?? '—'} | ${c?.failed ?? '—'} | ${c?.skipped ?? '—'} | ${rep ? v(rep.files) : '—'} | ${rep && r.mode === 'hunt' ? v(rep.tests) : '—'} | ${vs} |`,
  )
}
md.push('')
md.push(
  'Median wall / CPU per mode: ' +
    runModes.map((m) => `${m} ${fmtS(byMode[m].wallMedianMs)} s / ${fmtS(byMode[m].cpuMedianMs)} s`).join(' · '),
)
for (const [mode, st] of Object.entries(summary.stability)) {
  const entries = Object.entries(st.flagged)
  md.push('')
  md.push(
    `## ${mode}: flagged in ${st.rounds} round(s) — ${entries.length} distinct ${mode === 'hunt' ? 'tests' : 'files'}`,
  )
  for (const [key, rs] of entries)
    md.push(
      `- ${key}: ${Object.entries(rs)
        .map(([r, v]) => `${r} ${v}`)
        .join(', ')}`,
    )
}
md.push('')
md.push('## Every leak / suspect verdict')
for (const r of runs) {
  if (!r.report?.flagged.length) continue
  md.push('')
  md.push(`### ${r.mode} r${r.round}`)
  for (const f of r.report.flagged) {
    if (f.level === 'file')
      md.push(
        `- FILE ${f.verdict.toUpperCase()} \`${f.file}\`${f.project ? ` [${f.project}]` : ''}: ${kb(f.growthBytesPerTest)}/test, retained ${kb(f.retainedBytes)}, confidence ${f.confidence?.toFixed(2)}, ${f.tests} tests${f.confirmed ? ', confirmed by repeats' : ''} — ${f.reason}`,
      )
    else {
      md.push(
        `- TEST ${f.verdict.toUpperCase()} \`${f.file}\` > ${f.test}: ${kb(f.bytesPerIteration)}/iteration, confidence ${f.confidence?.toFixed(2)} — ${f.reason}`,
      )
      for (const s of f.allocationSites ?? [])
        md.push(
          `  - ${s.functionName || '(anonymous)'} ${s.file}:${s.line} — ${(s.share * 100).toFixed(0)}% (${kb(s.bytes)})`,
        )
      for (const t of f.tooling ?? [])
        md.push(
          `  - tooling: ${t.holder} ${t.what}, ${t.objectsPerIteration}/iteration, ${kb(t.bytesPerIteration)}/iteration`,
        )
    }
  }
}
md.push('')
md.push('## Outcome changes against plain')
let anyChange = false
for (const r of runs) {
  const cmp = r.comparison
  if (!cmp || (!cmp.changed.length && !cmp.newFileErrors.length)) continue
  anyChange = true
  md.push('')
  md.push(
    `### ${r.mode} r${r.round}: ${cmp.changed.length} tests changed, ${cmp.newFileErrors.length} new file errors (same: ${cmp.same}, only in plain: ${cmp.onlyReference}, only here: ${cmp.onlyRun})`,
  )
  for (const c of cmp.changed.slice(0, 50)) {
    md.push(`- \`${c.test}\`: ${c.reference} → ${c.now}`)
    if (c.error) md.push(`  \`\`\`\n  ${c.error.split('\n').slice(0, 12).join('\n  ')}\n  \`\`\``)
  }
  for (const e of cmp.newFileErrors)
    md.push(`- file error \`${e.file}\`: ${e.error.split('\n').slice(0, 6).join(' ⏎ ')}`)
}
if (!anyChange) md.push('', 'none')
const unknowns = runs.filter((r) => r.report && Object.keys(r.report.unknownReasons).length)
if (unknowns.length) {
  md.push('')
  md.push('## Why files were unknown')
  for (const r of unknowns)
    md.push(
      `- ${r.mode} r${r.round}: ${Object.entries(r.report.unknownReasons)
        .map(([k, n]) => `${n}× ${k}`)
        .join('; ')}`,
    )
}
writeFileSync(join(outDir, 'summary.md'), `${md.join('\n')}\n`)
console.log('')
console.log(md.join('\n'))
