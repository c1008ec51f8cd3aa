import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

// `npx vitest run` measures; `QTESTS_LEAKS=hunt npx vitest run` repeats every test and must say clean.
// 40 hunt iterations instead of 24: TCP connections and PGlite move the post-GC heap by ±1–2 KB from
// run to run, about the 1 KB floor, and 24 samples sometimes left a clean test `suspect`.
export default defineConfig({
  plugins: [qtests({ leaks: { iterations: 40 } })],
  // PGlite's first start compiles its WebAssembly: seconds on a busy machine.
  test: { hookTimeout: 60_000, testTimeout: 30_000 },
})
