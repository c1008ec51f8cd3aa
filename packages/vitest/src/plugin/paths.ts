import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { QtestsOptionsError, type ResolvedOptions } from './options.js'

/** The runner module the workers load in place of Vitest's: the leak probes. */
export const probesRunner = fileURLToPath(new URL('../worker/runner.js', import.meta.url))

/**
 * This package's built files, as a `server.deps.external` pattern. Installed from a registry they sit in
 * `node_modules` and Vitest hands them to Node's own loader; linked (a workspace, `file:` or `npm link`)
 * Vite's module runner would fetch them from the main process, then compile and evaluate them in every
 * fresh worker (about 4 ms of CPU per worker in profiles of bench/overhead's suite, plus the round trips).
 */
export const ownFiles = new RegExp(
  `^${escapeRegExp(
    fileURLToPath(new URL('../', import.meta.url))
      .split(path.sep)
      .join('/'),
  )}`,
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

export type FileSystem = Pick<typeof import('node:fs'), 'mkdirSync' | 'writeFileSync' | 'rmSync'>

/**
 * The report directory must take the reports and caches: checked when the run starts (a file written and
 * removed), so that a path that cannot be written stops the run at once with one error, instead of after
 * the whole run with no report (and a `failOn` that could not say anything).
 */
export function checkReportDir(dir: string, from: string, fs: FileSystem = { mkdirSync, writeFileSync, rmSync }): void {
  try {
    fs.mkdirSync(dir, { recursive: true })
    const probe = path.join(dir, `.qtests-write-check-${process.pid}`)
    fs.writeFileSync(probe, '')
    fs.rmSync(probe, { force: true })
  } catch (error) {
    throw new QtestsOptionsError(
      `qtests: option ${from} is ${JSON.stringify(dir)}, which cannot be written (${fileSystemError(error)}); allowed: a directory this run can create and write to.`,
    )
  }
}

function fileSystemError(error: unknown): string {
  const { code } = error as NodeJS.ErrnoException
  const why: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a file is in the way',
    ENOSPC: 'no space left on the device',
  }
  return code && why[code] ? `${code}: ${why[code]}` : String((error as Error)?.message ?? error)
}
