import { readdirSync, readFileSync } from 'node:fs'

/** Pids of live processes whose environment contains `marker` (e.g. a run's unique report directory). */
export function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

/**
 * Set by the Vitest (and Vite) running these tests, in their own process: not what a user's shell has. And CI, which
 * changes the plugin's defaults (a first run in CI confirms nothing): a test that wants it says so.
 */
const LAUNCHER_KEYS = ['TEST', 'NODE_ENV', 'NODE_OPTIONS', 'MODE', 'DEV', 'PROD', 'SSR', 'BASE_URL', 'CI']

/**
 * The environment for a Vitest started by a test, without what the outer run would leak into it: Vitest's
 * variables (and Vite's MODE, DEV, PROD, SSR, BASE_URL), pnpm's npm_* settings, any QTESTS_* switch, NODE_OPTIONS, CI.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|QTESTS_)/i.test(key) || LAUNCHER_KEYS.includes(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}
