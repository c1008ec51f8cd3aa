import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ResolvedOptions } from './options.js'

/** The runner module the workers load in place of Vitest's: the leak probes. */
export const probesRunner = fileURLToPath(new URL('../worker/runner.js', import.meta.url))

/** Where reports and the caches beside them go: `report.dir` (or `QTESTS_REPORT_DIR`), relative to the root. */
export function reportDir(root: string, options: ResolvedOptions): string {
  return path.resolve(root, options.report.dir ?? '.qtests')
}
