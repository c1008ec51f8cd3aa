import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [qtests()],
  // A load test takes seconds, not milliseconds.
  test: { testTimeout: 60_000 },
})
