import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The built package: URL targets send from worker threads, which load dist/load/httpWorker.js (Node cannot run the .ts source). */
export const DIST_INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url))

export async function importDist(): Promise<typeof import('../src/index.js')> {
  if (!existsSync(DIST_INDEX))
    throw new Error(`${DIST_INDEX} is missing: run \`pnpm --filter @qtests/core build\` first`)
  return (await import(pathToFileURL(DIST_INDEX).href)) as typeof import('../src/index.js')
}
