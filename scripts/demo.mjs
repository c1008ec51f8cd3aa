// `pnpm demo`: hunt for the leak in examples/leaky-service with the workspace build of the plugin.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const exampleDir = join(repoRoot, 'examples', 'leaky-service')
const reportDir = process.env.QTESTS_REPORT_DIR ? resolve(process.env.QTESTS_REPORT_DIR) : join(exampleDir, '.qtests')
const reportPath = join(reportDir, 'report.json')

// The example's own Vitest, started with this Node: no shell, the same on every platform.
const require = createRequire(join(exampleDir, 'package.json'))
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs')

console.log(`qtests demo: QTESTS_LEAKS=hunt vitest run in ${relative(process.cwd(), exampleDir) || '.'}\n`)
const child = spawn(process.execPath, [vitestBin, 'run'], {
  cwd: exampleDir,
  env: { ...process.env, QTESTS_LEAKS: 'hunt' },
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))

child.on('exit', (code, signal) => {
  if (!existsSync(reportPath)) {
    console.error(`\nqtests demo: no report at ${reportPath} (vitest exited with ${signal ?? code})`)
    process.exit(code || 1)
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'))
  const leaking = report.files.flatMap((file) =>
    file.tests.filter((test) => test.verdict === 'leak').map((test) => `${file.file} > ${test.name}`),
  )
  console.log(`\nqtests demo: ${leaking.length} leaking test(s) in ${report.mode} mode`)
  console.log(`report: ${relative(process.cwd(), reportPath)}`)
  process.exit(code ?? 1)
})
