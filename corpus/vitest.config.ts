import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

const pools = ['forks', 'threads', 'vmForks', 'vmThreads'] as const
type Pool = (typeof pools)[number]

const pool = (process.env.CORPUS_POOL ?? 'forks') as Pool
if (!pools.includes(pool)) {
  throw new Error(`CORPUS_POOL=${process.env.CORPUS_POOL} is not a Vitest pool; use one of ${pools.join(', ')}`)
}

// QTESTS_LEAKS and QTESTS_REPORT_DIR (set by score.mjs) override the mode and report directory.
export default defineConfig({
  // Leak accuracy only: worker scaling is measured by bench/workers.
  plugins: [qtests({ leaks: { mode: 'hunt', iterations: 24 }, workers: { adaptive: false } })],
  test: {
    include: ['cases/**/*.test.ts'],
    pool,
    // The labels count a mock's calls as kept: Vitest 5 would clear them before each test by default.
    clearMocks: false,
    // hunt mode repeats every test 24 times with a GC between repeats
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
