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
 * The environment for a Vitest started by a test, without what the outer run would leak into it: Vitest's
 * worker variables, pnpm's npm_* settings, any QTESTS_* switch, NODE_OPTIONS.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|QTESTS_)/i.test(key) || ['TEST', 'NODE_ENV', 'NODE_OPTIONS'].includes(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}
