import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { historyPath, loadHistory, mergeRecord, saveHistory } from './workerHistory.js'

describe('file history', () => {
  it('round-trips through the report directory cache', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-history-'))
    const file = historyPath(dir)
    saveHistory(file, { version: 1, lastLimit: 6, files: { 'test/a.test.ts': { durationMs: 1200, peakBytes: 3e8 } } })
    expect(loadHistory(file)).toEqual({
      version: 1,
      lastLimit: 6,
      files: { 'test/a.test.ts': { durationMs: 1200, peakBytes: 3e8 } },
    })
  })

  it('treats a missing or corrupt cache as a first run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-history-'))
    expect(loadHistory(historyPath(dir))).toEqual({ version: 1, lastLimit: null, files: {} })
    const corrupt = path.join(dir, 'corrupt.json')
    writeFileSync(corrupt, '{ not json')
    expect(loadHistory(corrupt)).toEqual({ version: 1, lastLimit: null, files: {} })
  })

  it('moves durations halfway and keeps the larger of the decayed old peak and the new one', () => {
    expect(mergeRecord({ durationMs: 1000, peakBytes: 1000 }, { durationMs: 2000, peakBytes: 500 })).toEqual({
      durationMs: 1500,
      peakBytes: 900,
    })
    expect(mergeRecord({ durationMs: 1000, peakBytes: 1000 }, { durationMs: 1000, peakBytes: 1200 })).toEqual({
      durationMs: 1000,
      peakBytes: 1200,
    })
    expect(mergeRecord(undefined, { durationMs: 10, peakBytes: null })).toEqual({ durationMs: 10, peakBytes: null })
  })
})
