import { describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../src/config-loader.js'
import { numbers } from '../src/payload.js'

// A spy on console.warn per test, restored with mockRestore() at its end, as many suites silence an expected
// warning: console.warn is back, but Vitest 4.1 keeps the spy (and the message it was called with) in its mock
// registry for the life of the worker. Held by the test tool, not by the code under test.
const files = Array.from({ length: 12 }, (_, i) => `service-${i + 1}.json`)

describe('spy-mock-restore', () => {
  it('warns about maxRetries in a config of 2500 values', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(loadConfig({ maxRetries: 3, values: numbers(2500, 1) }).retries).toBe(3)
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })

  it('reads retries without a warning or a spy', () => {
    expect(loadConfig({ retries: 2, values: [] }).retries).toBe(2)
  })

  it.each(files)('warns about maxRetries in %s with 2000 values', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    loadConfig({ maxRetries: 1, values: numbers(2000, 2) })
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })
})
