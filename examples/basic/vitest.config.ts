import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [qtests()],
})
