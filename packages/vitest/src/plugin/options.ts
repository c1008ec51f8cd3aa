import os from 'node:os'
import { parseBytes } from '@qtests/core/format'
import { resolveSamplingBounds } from '@qtests/core/monitor'
import { usableMemoryBytes } from '../pool/memoryAdmission.js'
import {
  DEFAULT_SAMPLING_INTERVAL_MS,
  type FailOn,
  type QtestsOptions,
  type ResolvedOptions,
} from '../shared/options.js'
import type { LeakMode } from '../shared/protocol.js'

export type { FailOn, QtestsOptions, ResolvedOptions } from '../shared/options.js'

/**
 * The one error a bad option produces: it names the key, the value and what is allowed. No stack trace: the
 * message says all there is, and the trace would point into Vitest's config loading, not the user's code.
 */
export class QtestsOptionsError extends Error {
  override name = 'QtestsOptionsError'
  constructor(message: string) {
    super(message)
    this.stack = `${this.name}: ${message}`
  }
}

const MODES: readonly LeakMode[] = ['measure', 'hunt', 'off']
const FAIL_ON: readonly FailOn[] = ['none', 'leak', 'suspect']
const TERMINAL = ['summary', 'full', false] as const

type Shape = Record<string, (value: unknown, key: string) => void>

function fail(key: string, value: unknown, allowed: string): never {
  throw new QtestsOptionsError(`qtests: option ${key} is ${describe(value)}; allowed: ${allowed}.`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

const oneOf =
  <T>(values: readonly T[]) =>
  (value: unknown, key: string) => {
    if (!values.includes(value as T))
      fail(key, value, values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', '))
  }

const integer = (min: number, max: number) => (value: unknown, key: string) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(key, value, `an integer from ${min} to ${max}`)
}

const number = (min: number, max: number) => (value: unknown, key: string) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    fail(key, value, `a number from ${min} to ${max}`)
}

const boolean = (value: unknown, key: string) => {
  if (typeof value !== 'boolean') fail(key, value, 'true or false')
}

const nonEmptyString = (value: unknown, key: string) => {
  if (typeof value !== 'string' || value.trim() === '') fail(key, value, 'a non-empty path')
}

/** Below this (64 MiB) a budget cannot hold Vitest's main process and one worker: it is a mistake (0.6 meant as 60%). */
export const MIN_MEMORY_BUDGET_BYTES = 64 * 1024 ** 2

const BUDGET_FORMS = "a number of bytes, or a string like '2GB' (2 × 1000³ bytes), '2GiB' (2 × 1024³) or '60%'"

const memoryBudget = (value: unknown, key: string, totalBytes = totalMemoryBytes()) => {
  const bytes =
    typeof value === 'number' && Number.isFinite(value) && value > 0
      ? value
      : typeof value === 'string'
        ? parseMemoryBudget(value, totalBytes)
        : undefined
  if (bytes === undefined) fail(key, value, BUDGET_FORMS)
  if (bytes < MIN_MEMORY_BUDGET_BYTES) {
    const share =
      typeof value === 'number' && value <= 1
        ? ` (a number is bytes; a share of memory is written '${Math.round(value * 100)}%')`
        : ''
    fail(key, value, `at least 64MiB, ${BUDGET_FORMS}${share}`)
  }
}

/** What a '60%' budget is a share of: system memory, or the container's limit when that is lower. */
export function totalMemoryBytes(): number {
  return usableMemoryBytes(os.totalmem(), process.constrainedMemory?.())
}

/** Parses '2GB' (2 × 1000³), '2GiB' (2 × 1024³), '512 MB', '60%' (of `totalBytes`); undefined when malformed. See `parseBytes`. */
export function parseMemoryBudget(value: string, totalBytes?: number): number | undefined {
  return parseBytes(value, totalBytes)
}

const sections: Record<string, Shape> = {
  leaks: {
    mode: oneOf(MODES),
    iterations: integer(8, 1000),
    failOn: oneOf(FAIL_ON),
    minBytesPerIteration: number(0, 1024 ** 3),
    allocationSites: boolean,
    minBytesPerTest: number(0, 1024 ** 3),
    measureBudget: number(0, 1),
    confirmBudget: number(0, 100),
    reuseClean: boolean,
  },
  workers: { adaptive: boolean, min: integer(1, 1024), max: integer(1, 1024), memoryBudget },
  sampling: {
    baseIntervalMs: number(1, 3_600_000),
    minIntervalMs: number(1, 3_600_000),
    maxIntervalMs: number(1, 3_600_000),
  },
  report: { dir: nonEmptyString, json: boolean, html: boolean, terminal: oneOf(TERMINAL) },
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkSection(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (!isPlainObject(value)) fail(name, value, 'an object')
  const shape = sections[name]!
  for (const [key, item] of Object.entries(value)) {
    const check = shape[key]
    if (!check) fail(`${name}.${key}`, item, `one of the keys ${Object.keys(shape).join(', ')} (unknown key)`)
    if (item !== undefined) check(item, `${name}.${key}`)
  }
  return value
}

/**
 * Validates options and applies the environment overrides (`QTESTS_LEAKS`, `QTESTS_REPORT_DIR`),
 * which win over the config file so CI can switch without editing it.
 */
export function resolveOptions(options: unknown = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (options === undefined || options === null) options = {}
  if (!isPlainObject(options)) fail('qtests(options)', options, 'an object')
  for (const [key, value] of Object.entries(options)) {
    if (!(key in sections)) fail(key, value, `one of the keys ${Object.keys(sections).join(', ')} (unknown key)`)
  }
  const leaks = checkSection('leaks', options.leaks) as NonNullable<QtestsOptions['leaks']>
  const workers = checkSection('workers', options.workers) as NonNullable<QtestsOptions['workers']>
  const sampling = checkSection('sampling', options.sampling) as NonNullable<QtestsOptions['sampling']>
  const report = checkSection('report', options.report) as NonNullable<QtestsOptions['report']>
  if (workers.min !== undefined && workers.max !== undefined && workers.min > workers.max)
    fail('workers.min', workers.min, `a number not above workers.max (${workers.max})`)
  const baseIntervalMs = sampling.baseIntervalMs ?? DEFAULT_SAMPLING_INTERVAL_MS
  if (sampling.minIntervalMs !== undefined && sampling.minIntervalMs > baseIntervalMs)
    fail(
      'sampling.minIntervalMs',
      sampling.minIntervalMs,
      `a number of ms not above sampling.baseIntervalMs (${baseIntervalMs})`,
    )
  if (sampling.maxIntervalMs !== undefined && sampling.maxIntervalMs < baseIntervalMs)
    fail(
      'sampling.maxIntervalMs',
      sampling.maxIntervalMs,
      `a number of ms not below sampling.baseIntervalMs (${baseIntervalMs})`,
    )

  let mode = leaks.mode ?? 'measure'
  const envMode = env.QTESTS_LEAKS
  if (envMode !== undefined && envMode !== '') {
    oneOf(MODES)(envMode, 'QTESTS_LEAKS (environment)')
    mode = envMode as LeakMode
  }
  let dir = report.dir
  let dirFrom: ResolvedOptions['report']['dirFrom'] = dir === undefined ? 'report.dir (default)' : 'report.dir'
  const envDir = env.QTESTS_REPORT_DIR
  if (envDir !== undefined && envDir !== '') {
    dir = envDir
    dirFrom = 'QTESTS_REPORT_DIR (environment)'
  }

  return {
    leaks: {
      mode,
      iterations: leaks.iterations ?? 24,
      failOn: leaks.failOn ?? 'none',
      minBytesPerIteration: leaks.minBytesPerIteration ?? 1024,
      allocationSites: leaks.allocationSites ?? true,
      minBytesPerTest: leaks.minBytesPerTest ?? 16384,
      measureBudget: leaks.measureBudget ?? 0.5,
      confirmBudget: leaks.confirmBudget,
      reuseClean: leaks.reuseClean ?? true,
    },
    workers: { ...workers, adaptive: workers.adaptive ?? true },
    // The checks above name the option as every other check here does; these bounds then always hold.
    sampling: resolveSamplingBounds('qtests', undefined, sampling, DEFAULT_SAMPLING_INTERVAL_MS),
    report: {
      dir,
      dirFrom,
      json: report.json ?? true,
      html: report.html ?? true,
      terminal: report.terminal ?? 'summary',
    },
  }
}
