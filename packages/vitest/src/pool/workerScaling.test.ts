import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FRESH_WORKER_BYTES, WorkerScaling } from './workerScaling.js'

describe('WorkerScaling admission', () => {
  it('counts files admitted a moment ago, whose workers have not started, against the memory budget', async () => {
    const reportDir = mkdtempSync(path.join(os.tmpdir(), 'qtests-scaling-'))
    // Room for the main process and two fresh workers, not three.
    const budget = (process.memoryUsage.rss() + 2.5 * FRESH_WORKER_BYTES) / 0.95
    const scaling = new WorkerScaling({
      min: 4,
      max: 4,
      memoryBudgetBytes: budget,
      reportDir,
      root: reportDir,
      log: () => {},
    })
    const controller = new AbortController()
    const granted: string[] = []
    for (const file of ['a', 'b', 'c', 'd']) {
      void scaling.admit(path.join(reportDir, `${file}.test.ts`), false, controller.signal).then(
        () => granted.push(file),
        () => {},
      )
    }
    await new Promise((resolve) => setImmediate(resolve))
    expect(scaling.gate.limit).toBe(4)
    expect(granted).toEqual(['a', 'b'])
    controller.abort()
    scaling.runEnded()
  })
})
