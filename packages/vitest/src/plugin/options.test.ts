import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseMemoryBudget, QtestsOptionsError, resolveOptions } from './options.js'
import { checkReportDir, type FileSystem } from './paths.js'

describe('resolveOptions', () => {
  it('gives useful defaults for qtests() with no options', () => {
    const resolved = resolveOptions(undefined, {})
    expect(resolved.leaks).toEqual({
      mode: 'measure',
      iterations: 24,
      failOn: 'none',
      minBytesPerIteration: 1024,
      allocationSites: true,
      minBytesPerTest: 16384,
      measureBudget: 0.5,
      confirmBudget: undefined,
      reuseClean: true,
    })
    expect(resolved.report).toEqual({
      dir: undefined,
      dirFrom: 'report.dir (default)',
      json: true,
      html: true,
      terminal: 'summary',
    })
    // Adaptive workers are on by default; min, max and the budget are decided from the machine.
    expect(resolved.workers).toEqual({ adaptive: true })
    // The run is sampled every 250 ms, down to every 625 ms (40%) while Vitest's main thread is busy.
    expect(resolved.sampling).toEqual({ baseIntervalMs: 250, minIntervalMs: 250, maxIntervalMs: 625 })
  })

  it('derives the sampling bounds from the base interval, and refuses bounds that do not hold it', () => {
    expect(resolveOptions({ sampling: { baseIntervalMs: 100 } }, {}).sampling).toEqual({
      baseIntervalMs: 100,
      minIntervalMs: 100,
      maxIntervalMs: 250,
    })
    expect(() => resolveOptions({ sampling: { minIntervalMs: 300 } }, {})).toThrow(
      'qtests: option sampling.minIntervalMs is 300; allowed: a number of ms not above sampling.baseIntervalMs (250).',
    )
    expect(() => resolveOptions({ sampling: { baseIntervalMs: 500, maxIntervalMs: 400 } }, {})).toThrow(
      'qtests: option sampling.maxIntervalMs is 400; allowed: a number of ms not below sampling.baseIntervalMs (500).',
    )
  })

  it('lets QTESTS_LEAKS and QTESTS_REPORT_DIR win over the config file', () => {
    const resolved = resolveOptions(
      { leaks: { mode: 'measure' }, report: { dir: 'a' } },
      { QTESTS_LEAKS: 'hunt', QTESTS_REPORT_DIR: '/tmp/r' },
    )
    expect(resolved.leaks.mode).toBe('hunt')
    expect(resolved.report.dir).toBe('/tmp/r')
  })

  it.each([
    [{ leaks: { mode: 'fast' } }, `qtests: option leaks.mode is "fast"; allowed: 'measure', 'hunt', 'off'.`],
    [{ leaks: { iterations: 3 } }, 'qtests: option leaks.iterations is 3; allowed: an integer from 8 to 1000.'],
    [{ leaks: { iterations: 10.5 } }, 'qtests: option leaks.iterations is 10.5; allowed: an integer from 8 to 1000.'],
    [{ leaks: { failOn: true } }, `qtests: option leaks.failOn is true; allowed: 'none', 'leak', 'suspect'.`],
    [
      { leaks: { confirmBudget: -0.1 } },
      'qtests: option leaks.confirmBudget is -0.1; allowed: a number from 0 to 100.',
    ],
    [
      { leaks: { itterations: 10 } },
      'qtests: option leaks.itterations is 10; allowed: one of the keys mode, iterations, failOn, minBytesPerIteration, allocationSites, minBytesPerTest, measureBudget, confirmBudget, reuseClean (unknown key).',
    ],
    [
      { leak: {} },
      'qtests: option leak is an object; allowed: one of the keys leaks, workers, sampling, report (unknown key).',
    ],
    [
      { report: { terminal: 'verbose' } },
      `qtests: option report.terminal is "verbose"; allowed: 'summary', 'full', false.`,
    ],
    [{ report: 'x' }, 'qtests: option report is "x"; allowed: an object.'],
    [
      { workers: { memoryBudget: 'lots' } },
      `qtests: option workers.memoryBudget is "lots"; allowed: a number of bytes, or a string like '2GB' (2 × 1000³ bytes), '2GiB' (2 × 1024³) or '60%'.`,
    ],
    [{ workers: { min: 4, max: 2 } }, 'qtests: option workers.min is 4; allowed: a number not above workers.max (2).'],
    [
      { workers: { memoryBudget: 0.6 } },
      `qtests: option workers.memoryBudget is 0.6; allowed: at least 64MiB, a number of bytes, or a string like '2GB' (2 × 1000³ bytes), '2GiB' (2 × 1024³) or '60%' (a number is bytes; a share of memory is written '60%').`,
    ],
    [
      { workers: { memoryBudget: '1b' } },
      `qtests: option workers.memoryBudget is "1b"; allowed: at least 64MiB, a number of bytes, or a string like '2GB' (2 × 1000³ bytes), '2GiB' (2 × 1024³) or '60%'.`,
    ],
  ])('rejects %j with one error naming the key, the value and what is allowed', (options, message) => {
    expect(() => resolveOptions(options, {})).toThrow(new QtestsOptionsError(message))
  })

  it('says where the report directory came from', () => {
    expect(resolveOptions({ report: { dir: 'r' } }, {}).report.dirFrom).toBe('report.dir')
    expect(resolveOptions({ report: { dir: 'r' } }, { QTESTS_REPORT_DIR: '/tmp/r' }).report.dirFrom).toBe(
      'QTESTS_REPORT_DIR (environment)',
    )
  })

  it('rejects a bad QTESTS_LEAKS value, naming the variable', () => {
    expect(() => resolveOptions({}, { QTESTS_LEAKS: 'on' })).toThrow(
      `qtests: option QTESTS_LEAKS (environment) is "on"; allowed: 'measure', 'hunt', 'off'.`,
    )
  })
})

describe('parseMemoryBudget', () => {
  it('reads sizes as Vitest reads vmMemoryLimit (GB: powers of 1000, GiB: of 1024), and percentages', () => {
    expect(parseMemoryBudget('2GB')).toBe(2e9)
    expect(parseMemoryBudget('2GiB')).toBe(2 * 1024 ** 3)
    expect(parseMemoryBudget('512 mb')).toBe(512e6)
    expect(parseMemoryBudget('60%', 1000)).toBe(600)
    expect(parseMemoryBudget('0GB')).toBeUndefined()
    expect(parseMemoryBudget('150%', 1000)).toBeUndefined()
    expect(parseMemoryBudget('2 gigs')).toBeUndefined()
  })
})

describe('checkReportDir', () => {
  const failing = (code: string): FileSystem => ({
    mkdirSync: () => undefined,
    rmSync: () => undefined,
    writeFileSync: () => {
      throw Object.assign(new Error(`${code}: something`), { code })
    },
  })

  it.each([
    ['EROFS', 'EROFS: the file system is read-only'],
    ['EACCES', 'EACCES: permission denied'],
    ['ENOTDIR', 'ENOTDIR: a file is in the way'],
  ])('stops the run with one error naming the directory and why it cannot be written (%s)', (code, why) => {
    expect(() => checkReportDir('/reports', 'report.dir', failing(code))).toThrow(
      new QtestsOptionsError(
        `qtests: option report.dir is "/reports", which cannot be written (${why}); allowed: a directory this run can create and write to.`,
      ),
    )
  })

  it('names the environment variable when the directory came from it', () => {
    expect(() => checkReportDir('/reports', 'QTESTS_REPORT_DIR (environment)', failing('EACCES'))).toThrow(
      /option QTESTS_REPORT_DIR \(environment\) is "\/reports"/,
    )
  })

  it('refuses a path where a file is in the way, on the real file system', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'qtests-dir-')), 'report.json')
    writeFileSync(file, '{}')
    expect(() => checkReportDir(file, 'report.dir')).toThrow(/a file is in the way/)
    expect(() => checkReportDir(path.join(file, 'nested'), 'report.dir')).toThrow(/a file is in the way/)
  })
})
