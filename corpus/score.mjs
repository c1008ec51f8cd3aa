// Runs the corpus through the real Vitest + qtests plugin and scores the reports against labels.json.
//   node score.mjs                  3 hunt runs + 1 measure run, prints the table
//   node score.mjs --check          same, exits 1 unless the thresholds in scoring.mjs hold
//   node score.mjs --runs 1         fewer hunt runs (stability is then not meaningful)
//   node score.mjs --reports <dir>  score existing <dir>/hunt-<n>/report.json and <dir>/measure/report.json
//   node score.mjs --keep           keep the temporary report directory and the Vitest logs
// CORPUS_POOL=threads|forks|… is passed through to vitest.config.ts. QTESTS_VITEST=5 runs the corpus under Vitest 5
// on Node 22 (installed once into node_modules/.cache/qtests, with the plugin packed from this build).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cacheDir, installProject, packPackages, vitestMajor, vitestTarget } from '@qtests/test-utils'
import { checkFailures, DEFAULT_THRESHOLDS, formatSummary, scoreCorpus } from './scoring.mjs'

const corpusDir = fileURLToPath(new URL('.', import.meta.url))

function parseArgs(argv) {
  const args = { check: false, keep: false, runs: 3, reports: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--check') args.check = true
    else if (arg === '--keep') args.keep = true
    else if (arg === '--runs') args.runs = Number(argv[++i])
    else if (arg === '--reports') args.reports = argv[++i]
    else throw new Error(`unknown argument ${arg}; expected --check, --keep, --runs <n> or --reports <dir>`)
  }
  if (!Number.isInteger(args.runs) || args.runs < 1)
    throw new Error(`--runs must be a positive integer, got ${args.runs}`)
  return args
}

function readReport(dir) {
  const path = join(dir, 'report.json')
  if (!existsSync(path))
    throw new Error(`no report at ${path}: did the run crash before the plugin wrote it? (see the Vitest log)`)
  return JSON.parse(readFileSync(path, 'utf8'))
}

/**
 * Where and with what the corpus runs: here with this workspace's Vitest 4.1, or (QTESTS_VITEST=5) a copy of the
 * cases in a directory with Vitest 5 and the packed plugin installed, run by Node 22.
 */
async function corpusCommand() {
  const target = await vitestTarget()
  if (target.major === '4')
    return {
      cwd: corpusDir,
      node: process.execPath,
      vitestBin: join(corpusDir, 'node_modules/vitest/vitest.mjs'),
      target,
    }
  const home = join(cacheDir, `vitest-${target.vitest}-corpus`)
  process.stderr.write(`Installing Vitest ${target.vitest} and the packed plugin in ${home}\n`)
  const packed = await packPackages(join(home, 'tarballs'))
  const corpusPackage = JSON.parse(readFileSync(join(corpusDir, 'package.json'), 'utf8'))
  await installProject(home, packed, target, { sinon: corpusPackage.devDependencies.sinon })
  const cwd = join(home, 'corpus')
  rmSync(cwd, { recursive: true, force: true })
  cpSync(join(corpusDir, 'cases'), join(cwd, 'cases'), { recursive: true })
  cpSync(join(corpusDir, 'vitest.config.ts'), join(cwd, 'vitest.config.ts'))
  return { cwd, node: target.node, vitestBin: join(home, 'node_modules/vitest/vitest.mjs'), target }
}

function runVitest(mode, reportDir, logPath, command) {
  const started = Date.now()
  const result = spawnSync(command.node, [command.vitestBin, 'run'], {
    cwd: command.cwd,
    // A developer's run: a first run in CI would leave measure's growing files unconfirmed, which the corpus judges.
    env: { ...process.env, QTESTS_LEAKS: mode, QTESTS_REPORT_DIR: reportDir, FORCE_COLOR: '0', CI: '' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  writeFileSync(logPath, `${result.stdout ?? ''}\n${result.stderr ?? ''}`)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const status = result.error ? `failed to start: ${result.error.message}` : `exit ${result.status}`
  process.stderr.write(`  ${mode.padEnd(7)} ${seconds}s, vitest ${status} (log: ${logPath})\n`)
  // A failing test does not stop scoring (the report is written anyway), but it is worth knowing.
  if (result.status !== 0)
    process.stderr.write(`  note: vitest exited ${result.status}; the tail of its log:\n${tail(logPath)}\n`)
}

function tail(path, lines = 15) {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n')
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const labels = JSON.parse(readFileSync(join(corpusDir, 'labels.json'), 'utf8'))

  let dir = args.reports
  let made = false
  if (!dir) {
    const plugin = join(corpusDir, 'node_modules/@qtests/vitest/dist/index.js')
    if (!existsSync(plugin)) {
      throw new Error(`the plugin is not built (${plugin} is missing); run: pnpm --filter @qtests/vitest build`)
    }
    const command = await corpusCommand()
    dir = mkdtempSync(join(tmpdir(), 'qtests-corpus-'))
    made = true
    process.stderr.write(
      `Running the corpus under Vitest ${command.target.vitest} (${labels.tests.length} tests in ${labels.files.length} files), reports in ${dir}\n`,
    )
    for (let run = 1; run <= args.runs; run++)
      runVitest('hunt', join(dir, `hunt-${run}`), join(dir, `hunt-${run}.log`), command)
    runVitest('measure', join(dir, 'measure'), join(dir, 'measure.log'), command)
  }

  const huntDirs = readdirSync(dir)
    .filter((name) => /^hunt-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
  if (huntDirs.length === 0) throw new Error(`no hunt-<n>/ directories in ${dir}`)
  const huntReports = huntDirs.map((name) => readReport(join(dir, name)))
  const measureReport = existsSync(join(dir, 'measure', 'report.json')) ? readReport(join(dir, 'measure')) : null
  for (const [i, report] of huntReports.entries()) {
    if (report.mode !== 'hunt')
      process.stderr.write(`warning: ${huntDirs[i]}/report.json has mode ${report.mode}, expected hunt\n`)
  }

  const summary = scoreCorpus(labels, huntReports, measureReport, DEFAULT_THRESHOLDS, vitestMajor())
  console.log(formatSummary(summary))

  let exitCode = 0
  if (args.check) {
    const failures = checkFailures(summary)
    const t = DEFAULT_THRESHOLDS
    console.log(
      `\nCheck (hunt precision ≥ ${t.huntPrecision}, recall ≥ ${t.huntRecall}, leaks ≥ ${t.sizeFloorBytes} B within ±${t.sizeTolerance * 100}%, ` +
        `stable verdicts; measure precision ≥ ${t.measurePrecision}, recall ≥ ${t.measureRecall}):`,
    )
    if (failures.length === 0) console.log('  PASS')
    else {
      for (const failure of failures) console.log(`  FAIL ${failure}`)
      exitCode = 1
    }
  }
  if (made && !args.keep && exitCode === 0) rmSync(dir, { recursive: true, force: true })
  else if (made) console.log(`\nReports and logs kept in ${dir}`)
  process.exitCode = exitCode
}

try {
  vitestMajor()
  await main()
} catch (error) {
  console.error(`score.mjs: ${error instanceof Error ? error.message : error}`)
  process.exitCode = 2
}
