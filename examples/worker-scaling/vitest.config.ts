import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

// Most files here wait on a slow upstream service, one builds a large search index and one ranks products
// on the CPU: no single `maxWorkers` suits them all, so the plugin picks the number as the suite runs.
export default defineConfig({
  plugins: [qtests({ leaks: { mode: 'off' }, workers: { adaptive: true, max: 8, memoryBudget: '2GiB' } })],
})
