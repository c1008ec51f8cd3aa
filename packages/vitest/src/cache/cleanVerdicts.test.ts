import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type CleanHistory,
  ContentStamps,
  type MeasuredFile,
  cleanHistoryPath,
  clearedEarlier,
  failedRepeatsEarlier,
  fingerprint,
  loadCleanHistory,
  recordRun,
  reusableCleanFiles,
  saveCleanHistory,
} from './cleanVerdicts.js'

const settings = '["probes-build","4.1.12","v20.20.2",16384,0.25,""]'
const now = new Date('2026-11-27T12:00:00Z')
// the Vitest root the cache's paths are relative to
const root = os.tmpdir()

function project() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-clean-history-'))
  const write = (name: string, text: string) => {
    const file = path.join(dir, name)
    writeFileSync(file, text)
    return file
  }
  return { dir, write }
}

/** The history after one run that measured `test` clean, having loaded `modules`. */
function measuredClean(test: string, modules: string[], extra: Partial<MeasuredFile> = {}, at = root): CleanHistory {
  return recordRun(
    { version: 1, files: {} },
    [{ file: test, verdict: 'clean', reused: false, modules, ...extra }],
    settings,
    now,
    at,
  )
}

/** The history after a run that measured `file` clean (a first run for the project at `root`). */
function measuredCleanAfter(history: CleanHistory, file: string): CleanHistory {
  return recordRun(history, [{ file, verdict: 'clean', reused: false, modules: [file] }], settings, now, root)
}

describe('clean history', () => {
  it('reuses a file measured clean while nothing it loaded changes, and measures it again once one does', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const source = write('a.ts', 'export const a = 1')
    const history = measuredClean(test, [test, source])
    expect(reusableCleanFiles(history, settings, root)).toEqual([test])

    // the same size, other content
    writeFileSync(source, 'export const a = 2')
    expect(reusableCleanFiles(history, settings, root)).toEqual([])
  })

  it('keeps a verdict when only modification times change, as after a CI checkout restores the cache', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const source = write('a.ts', 'export const a = 1')
    const history = measuredClean(test, [test, source])
    const later = new Date(Date.now() + 60_000)
    for (const file of [test, source]) {
      writeFileSync(file, file === test ? 'test' : 'export const a = 1')
      utimesSync(file, later, later)
    }
    expect(reusableCleanFiles(history, settings, root)).toEqual([test])
  })

  it('reads each file once per pass, however many test files list it', () => {
    const { write } = project()
    const shared = write('shared.ts', 'export const s = 1')
    const stamps = new ContentStamps()
    const before = fingerprint([shared], settings, stamps)
    expect(Object.keys(stamps.entries([shared]))).toEqual([shared])
    writeFileSync(shared, 'export const s = 22')
    // the same pass keeps the first reading; a new pass sees the change
    expect(fingerprint([shared], settings, stamps)).toBe(before)
    expect(fingerprint([shared], settings)).not.toBe(before)
  })

  it('does not read a file again whose size and modification time the history saw', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const history = measuredClean(test, [test])
    const entry = history.contents?.[test]
    expect(entry).toMatch(/^4:[\d.]+:[\w+/=]+$/)
    // A content hash the history holds for the same size and time is taken as it is, without reading the file.
    const forged = { ...history, contents: { [test]: entry!.replace(/[^:]+$/, 'forged') } }
    expect(reusableCleanFiles(forged, settings, root)).toEqual([])
    expect(reusableCleanFiles(history, settings, root)).toEqual([test])
  })

  it('keeps what a confirmation cleared while the test file and the settings stay, whatever it loads', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const source = write('a.ts', 'export const a = 1')
    const cleared = { growthBytesPerTest: 40_000, at: now.toISOString() }
    const history = measuredClean(test, [test, source], { cleared })
    writeFileSync(source, 'export const a = 2 // changed')
    expect(reusableCleanFiles(history, settings, root)).toEqual([])
    expect(clearedEarlier(history, test, settings, new ContentStamps(history.contents))).toEqual(cleared)
    expect(clearedEarlier(history, test, settings.replace('16384', '8192'), new ContentStamps())).toBeUndefined()
    writeFileSync(test, 'test // changed')
    expect(clearedEarlier(history, test, settings, new ContentStamps(history.contents))).toBeUndefined()
    // a file measured clean without confirmation has nothing cleared to compare with
    const fresh = project().write('b.test.ts', 'test')
    const plain = measuredCleanAfter(history, fresh)
    expect(clearedEarlier(plain, fresh, settings, new ContentStamps())).toBeUndefined()
  })

  it('keeps what a confirmation found when a later run measures the file clean without growth, until its test file changes', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const cleared = { growthBytesPerTest: 40_000, at: now.toISOString() }
    const first = measuredClean(test, [test], { cleared })
    const measured = { file: test, verdict: 'clean', reused: false, modules: [test] }
    const second = recordRun(first, [measured], settings, new Date('2026-11-28T12:00:00Z'), root)
    expect(clearedEarlier(second, test, settings, new ContentStamps())).toEqual(cleared)
    writeFileSync(test, 'test 2')
    const third = recordRun(second, [measured], settings, new Date('2026-11-29T12:00:00Z'), root)
    expect(third.files[test]?.cleared).toBeUndefined()
  })

  // h3's session tests share a counter: every repeat fails, so repeating the file again on each run only costs.
  it('keeps a file whose tests all failed when repeated apart from the clean ones, until its test file changes', () => {
    const { dir, write } = project()
    const test = write('a.test.ts', 'test')
    const failedRepeats = { growthBytesPerTest: 140_000, at: now.toISOString() }
    const measured: MeasuredFile = { file: test, verdict: 'unknown', reused: false, modules: [test], failedRepeats }
    const first = recordRun({ version: 1, files: {} }, [measured], settings, now, root)
    expect(reusableCleanFiles(first, settings, root)).toEqual([])
    expect(clearedEarlier(first, test, settings, new ContentStamps())).toBeUndefined()
    expect(failedRepeatsEarlier(first, test, settings, new ContentStamps())).toEqual(failedRepeats)
    expect(failedRepeatsEarlier(first, test, settings.replace('16384', '8192'), new ContentStamps())).toBeUndefined()
    // saved relative to the root and read back
    const file = cleanHistoryPath(path.join(dir, '.qtests'))
    saveCleanHistory(file, first, dir)
    expect(readFileSync(file, 'utf8')).not.toContain(dir)
    expect(failedRepeatsEarlier(loadCleanHistory(file, dir), test, settings, new ContentStamps())).toEqual(
      failedRepeats,
    )
    // a later run that measures it otherwise forgets it; one that skips it keeps it
    const skipped = recordRun(first, [{ ...measured, reused: true, failedRepeats: undefined }], settings, now, root)
    expect(failedRepeatsEarlier(skipped, test, settings, new ContentStamps())).toEqual(failedRepeats)
    const cleaned = measuredCleanAfter(first, test)
    expect(failedRepeatsEarlier(cleaned, test, settings, new ContentStamps())).toBeUndefined()
    writeFileSync(test, 'test // changed')
    expect(failedRepeatsEarlier(first, test, settings, new ContentStamps())).toBeUndefined()
  })

  // @mswjs/interceptors leaks a socket per mocked request in 34 of its files: confirming them again on every run,
  // nothing changed, cost its suite 3× plain Vitest each time.
  it('keeps a confirmed leak with its report while nothing it loads changes, and drops one that is not a leak report', () => {
    const { dir, write } = project()
    const test = write('a.test.ts', 'test')
    const report = { verdict: 'leak', tests: [{ name: 't', verdict: 'leak' }], reason: 'grew' }
    const leaked: MeasuredFile = { file: test, verdict: 'leak', reused: false, modules: [test], leakReport: report }
    const history = recordRun({ version: 1, files: {} }, [leaked], settings, now, root)
    expect(reusableCleanFiles(history, settings, root)).toEqual([test])
    expect(history.files[test]?.leak).toEqual({ at: now.toISOString(), report })
    // a leak without its report (not confirmed) is not kept: it is measured again
    const unconfirmed = recordRun(history, [{ ...leaked, leakReport: undefined }], settings, now, root)
    expect(unconfirmed.files[test]).toBeUndefined()
    // saved and read back; a record whose leak is not a leak report is dropped, never read as clean
    const file = cleanHistoryPath(path.join(dir, '.qtests'))
    saveCleanHistory(file, history, dir)
    expect(loadCleanHistory(file, dir).files[test]?.leak?.report).toEqual(report)
    const broken = JSON.parse(readFileSync(file, 'utf8'))
    broken.files['a.test.ts'].leak.report = { verdict: 'clean' }
    writeFileSync(file, JSON.stringify(broken))
    expect(loadCleanHistory(file, dir).files[test]).toBeUndefined()
    writeFileSync(test, 'test // changed')
    expect(reusableCleanFiles(history, settings, root)).toEqual([])
  })

  it('measures again when the settings change (plugin build, versions, floor, budget, project)', () => {
    const { write } = project()
    const test = write('a.test.ts', 'test')
    const history = measuredClean(test, [test])
    expect(reusableCleanFiles(history, settings.replace('16384', '8192'), root)).toEqual([])
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
      root,
    )
    history = recordRun(
      history,
      [
        { file: leaking, verdict: 'leak', reused: false, modules: [leaking] },
        { file: reused, verdict: 'clean', reused: true },
      ],
      settings,
      new Date('2026-11-28T12:00:00Z'),
      root,
    )
    expect(Object.keys(history.files)).toEqual([reused])
    expect(history.files[reused]!.measuredAt).toBe(now.toISOString())
  })

  it('forgets test files that are gone, and keeps those this run did not include', () => {
    const { write } = project()
    const kept = write('kept.test.ts', 'test')
    const gone = write('gone.test.ts', 'test')
    const failing = write('failing.test.ts', 'test')
    const failedRepeats = { growthBytesPerTest: 140_000, at: now.toISOString() }
    const first = recordRun(
      { version: 1, files: {} },
      [
        { file: kept, verdict: 'clean', reused: false, modules: [kept] },
        { file: gone, verdict: 'clean', reused: false, modules: [gone] },
        { file: failing, verdict: 'unknown', reused: false, modules: [failing], failedRepeats },
      ],
      settings,
      now,
      root,
    )
    expect(Object.keys(first.files).sort()).toEqual([gone, kept].sort())
    expect(Object.keys(first.contents ?? {}).sort()).toEqual([gone, kept].sort())
    rmSync(gone)
    rmSync(failing)
    // a later run of another file only (`vitest run other`)
    const other = write('other.test.ts', 'test')
    const next = measuredCleanAfter(first, other)
    expect(Object.keys(next.files).sort()).toEqual([kept, other].sort())
    expect(Object.keys(next.contents ?? {}).sort()).toEqual([kept, other].sort())
    expect(next.failedRepeats).toBeUndefined()
  })

  it('keeps its paths relative to the root, so a checkout at another path reuses it', () => {
    const { dir, write } = project()
    const test = write('a.test.ts', 'test')
    const source = write('a.ts', 'export const a = 1')
    const history = measuredClean(test, [test, source], {}, dir)
    const file = cleanHistoryPath(dir)
    saveCleanHistory(file, history, dir)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as CleanHistory
    expect(Object.keys(saved.files)).toEqual(['a.test.ts'])
    expect(saved.files['a.test.ts']!.modules).toEqual(['a.test.ts', 'a.ts'])

    const moved = `${dir}-moved`
    cpSync(dir, moved, { recursive: true })
    const there = loadCleanHistory(cleanHistoryPath(moved), moved)
    expect(reusableCleanFiles(there, settings, moved)).toEqual([path.join(moved, 'a.test.ts')])
  })

  it('treats a missing or unreadable cache as a first run, and reads back what it saved', () => {
    const { dir, write } = project()
    const file = cleanHistoryPath(dir)
    expect(loadCleanHistory(file, root)).toEqual({ version: 1, files: {} })
    const test = write('a.test.ts', 'test')
    const history = measuredClean(test, [test])
    saveCleanHistory(file, history, root)
    expect(loadCleanHistory(file, root)).toEqual(history)
    writeFileSync(file, JSON.stringify({ ...history, contents: null }))
    expect(loadCleanHistory(file, root)).toEqual({ version: 1, files: history.files })
    writeFileSync(file, '{ not json')
    expect(loadCleanHistory(file, root)).toEqual({ version: 1, files: {} })
  })
})
