import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

// `npx vitest run` measures; `QTESTS_LEAKS=hunt npx vitest run` repeats every test and must say clean.
export default defineConfig({
  plugins: [qtests()],
  // PGlite's first start compiles its WebAssembly: seconds on a busy machine.
  test: { hookTimeout: 60_000, testTimeout: 30_000 },
})
