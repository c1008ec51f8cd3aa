import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ResolvedOptions } from './options.js'

/** The runner module the workers load in place of Vitest's: the leak probes. */
export const probesRunner = fileURLToPath(new URL('../worker/runner.js', import.meta.url))

/**
 * This package's built files, as a `server.deps.external` pattern. Installed from a registry they sit in
 * `node_modules` and Vitest hands them to Node's own loader; linked (a workspace, `file:` or `npm link`)
 * Vite's module runner would fetch them from the main process, then compile and evaluate them in every
 * fresh worker (about 4 ms of CPU per worker in profiles of bench/overhead's suite, plus the round trips).
 */
export const ownFiles = new RegExp(
  `^${escapeRegExp(fileURLToPath(new URL('../', import.meta.url)).split(path.sep).join('/'))}`,
  // Windows paths may spell the drive letter either way.
  process.platform === 'win32' ? 'i' : '',
)

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Where reports and the caches beside them go: `report.dir` (or `QTESTS_REPORT_DIR`), relative to the root. */
export function reportDir(root: string, options: ResolvedOptions): string {
  return path.resolve(root, options.report.dir ?? '.qtests')
}
