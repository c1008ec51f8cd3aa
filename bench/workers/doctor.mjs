// `vitest doctor` (Vitest 5) as a configuration of the worker-scaling benchmark: run it once per suite,
// read its recommendation, and hand the recommended settings to the suite's config (BENCH_WORKERS=doctor).
//
// Doctor passes only --root, --config and --project on to the runs it measures (its baseline and
// candidates), so the suite's settings must be in the config file, never on its command line. It runs the
// suite's config with BENCH_WORKERS=default: plain Vitest, without the qtests plugin, at Vitest's default
// maxWorkers. Its output is text only; with NO_COLOR=1 the lines below are stable (Vitest 5.1.2,
// chunks/doctor.*.js).

import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { childEnv } from '@qtests/test-utils'

const recommendationLine = /^Recommendation: (.+?) \(([+-]?\d+)%\)$/
const keepLine = /^Recommendation: keep the current configuration/
// A row of doctor's "Results" table: a title, then its best wall time and its change against the baseline
// (`(-20%)`, `(±0%)`, or a note that it failed with a shuffled file order), or `failed`.
const resultLine =
  /^ {2}(.+?)\s{2,}(?:(\d+\.\d{2})s(?: \((?:±0|([+-]?\d+))%\)| \(fails with a shuffled file order.*\))?|failed)$/
// What a recommendation can set, as doctor writes it (`pool: 'threads'`, `isolate: false`, `maxWorkers: 2`).
const settingPart = /^(pool|isolate|environment|fsModuleCache|maxWorkers): ('[^']*'|true|false|\d+)$/

/**
 * Doctor's verdict from its NO_COLOR output: { recommendation, percent, settings, results }, where settings
 * is what to put in `test` ({} to keep the configuration) and results doctor's own table; null when no
 * recommendation line is there (doctor failed) or one names a setting this reader doesn't know.
 */
export function parseDoctorOutput(output) {
  const lines = output.split('\n').map((line) => line.trimEnd())
  const results = []
  for (const line of lines) {
    const row = resultLine.exec(line)
    if (!row) continue
    const failed = row[2] === undefined || line.endsWith('file order - tests depend on isolation)')
    results.push({
      title: row[1],
      seconds: row[2] === undefined ? null : Number(row[2]),
      percent: row[3] === undefined ? (line.includes('(±0%)') ? 0 : null) : Number(row[3]),
      failed,
    })
  }
  if (lines.some((line) => keepLine.test(line)))
    return { recommendation: 'keep the current configuration', percent: null, settings: {}, results }
  for (const line of lines) {
    const match = recommendationLine.exec(line)
    if (!match) continue
    const settings = {}
    for (const part of match[1].split(' + ')) {
      const setting = settingPart.exec(part)
      if (!setting) return null
      const [, key, text] = setting
      settings[key] = text.startsWith("'")
        ? text.slice(1, -1)
        : text === 'true'
          ? true
          : text === 'false'
            ? false
            : Number(text)
    }
    return { recommendation: match[1], percent: Number(match[2]), settings, results }
  }
  return null
}

/**
 * Runs `vitest doctor --config vitest.config.mjs` in a suite's directory (its output kept in
 * .bench/doctor.txt, `outputFile`) and resolves to { wallMs, exitCode, failure, output, outputFile, verdict } with verdict as
 * parseDoctorOutput reads it. `onSpawn(child)` lets the caller stop it (its own process group) on Ctrl-C.
 */
export function runDoctor({ dir, node, vitestBin, timeoutMs, onSpawn = () => {} }) {
  const env = childEnv({ NO_COLOR: '1', FORCE_COLOR: '0', BENCH_WORKERS: 'default' })
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    // Its own process group: doctor's measured runs are its children, and a timeout must stop them too.
    const child = spawn(node, [vitestBin, 'doctor', '--config', 'vitest.config.mjs'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    onSpawn(child)
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      process.kill(-child.pid, 'SIGKILL')
    }, timeoutMs)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      const outputFile = join(dir, '.bench', 'doctor.txt')
      mkdirSync(dirname(outputFile), { recursive: true })
      writeFileSync(outputFile, output)
      const failure = timedOut
        ? `timed out after ${timeoutMs / 60_000} min`
        : signal
          ? `killed by ${signal}`
          : exitCode !== 0
            ? `exit ${exitCode}`
            : null
      resolve({ wallMs, exitCode, failure, output, outputFile, verdict: parseDoctorOutput(output) })
    })
  })
}

/**
 * Doctor's settings beyond a worker count (`isolate: false`, another pool) change how the suite runs, not how many
 * files run at once: the pool is judged on them with the same settings (`adaptive+doctor` against doctor), and the
 * doctor row is then not one of the suite's own static settings that `adaptive` is held to.
 */
export function doctorChangesSettings(settings) {
  return Object.keys(settings ?? {}).some((key) => !workerCountSettings.includes(key))
}

/** Doctor's settings for the adaptive pool: all but the worker count, which the pool decides. */
export function withoutWorkerCount(settings) {
  return Object.fromEntries(Object.entries(settings ?? {}).filter(([key]) => !workerCountSettings.includes(key)))
}

const workerCountSettings = ['maxWorkers', 'fileParallelism']
