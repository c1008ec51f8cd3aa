import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type CleanHistory,
  cleanHistoryPath,
  fingerprint,
  loadCleanHistory,
  recordRun,
  reusableCleanFiles,
  saveCleanHistory,
} from './cleanVerdicts.js'

const settings = '["probes-build","4.1.12","v20.20.2",16384,0.25,""]'
const now = new Date('2026-11-27T12:00:00Z')

function project() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-clean-history-'))
  const write = (name: string, text: string) => {
    const file = path.join(dir, name)
    writeFileSync(file, text)
    return file
  }
  return { dir, write }
}

describe('clean history', () => {
  it('reuses a file measured clean while nothing it loaded changes, and measures it again once one does', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const source = write('a.ts', 'export const a = 1')
    const history = recordRun(
      { version: 1, files: {} },
      [{ file: test, verdict: 'clean', reused: false, modules: [test, source] }],
      settings,
      now,
    )
    expect(reusableCleanFiles(history, settings)).toEqual([test])

    writeFileSync(source, 'export const a = [] // grows now')
    utimesSync(source, new Date(), new Date(Date.now() + 5000))
    expect(reusableCleanFiles(history, settings)).toEqual([])
  })

  it('reads each file’s size and time once per pass, however many test files list it', () => {
    const { write } = project()
    const shared = write('shared.ts', 'export const s = 1')
    const stamps = new Map<string, string>()
    const before = fingerprint([shared], settings, stamps)
    expect([...stamps.keys()]).toEqual([shared])
    writeFileSync(shared, 'export const s = 22')
    // the same pass keeps the first reading; a new pass sees the change
    expect(fingerprint([shared], settings, stamps)).toBe(before)
    expect(fingerprint([shared], settings)).not.toBe(before)
  })

  it('measures again when the settings change (plugin build, versions, floor, budget, project)', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const history = recordRun(
      { version: 1, files: {} },
      [{ file: test, verdict: 'clean', reused: false, modules: [test] }],
      settings,
      now,
    )
    expect(reusableCleanFiles(history, settings.replace('16384', '8192'))).toEqual([])
  })

  it('forgets a file measured anything but clean, and keeps the record of a reused one', () => {
    const { write } = project()
    const leaking = write('leak.test.ts', 'test')
    const reused = write('clean.test.ts', 'test')
    let history: CleanHistory = recordRun(
      { version: 1, files: {} },
      [
        { file: leaking, verdict: 'clean', reused: false, modules: [leaking] },
        { file: reused, verdict: 'clean', reused: false, modules: [reused] },
      ],
      settings,
      now,
    )
    history = recordRun(
      history,
      [
        { file: leaking, verdict: 'leak', reused: false, modules: [leaking] },
        { file: reused, verdict: 'clean', reused: true },
      ],
      settings,
      new Date('2026-11-28T12:00:00Z'),
    )
    expect(Object.keys(history.files)).toEqual([reused])
    expect(history.files[reused]!.measuredAt).toBe(now.toISOString())
  })

  it('treats a missing or unreadable cache as a first run, and reads back what it saved', () => {
    const { dir, write } = project()
    const file = cleanHistoryPath(dir)
    expect(loadCleanHistory(file)).toEqual({ version: 1, files: {} })
    const test = write('a.test.ts', 'test')
    const history = recordRun(
      { version: 1, files: {} },
      [{ file: test, verdict: 'clean', reused: false, modules: [test] }],
      settings,
      now,
    )
    saveCleanHistory(file, history)
    expect(loadCleanHistory(file)).toEqual(history)
    writeFileSync(file, '{ not json')
    expect(loadCleanHistory(file)).toEqual({ version: 1, files: {} })
  })
})
