import { formatBytes } from '../format/bytes.js'

/** How much load the tester offers: all of it, half, or a quarter, as heap pressure rises. */
export type MemoryMode = 'normal' | 'reduced' | 'minimal'

/** One change of mode: when (ms since the run started), to what, and why (with the heap figures that decided it). */
export interface ModeSwitch {
  atMs: number
  mode: MemoryMode
  reason: string
}

/** Share of the configured rate, in-flight requests and concurrent loops each mode keeps. */
export const MODE_FACTORS: Record<MemoryMode, number> = { normal: 1, reduced: 0.5, minimal: 0.25 }

/** Pressure (heap used / limit) at or above which the tester steps down at once, and below which it steps back up after `dwellMs`. */
export const REDUCED_AT = 0.7
export const MINIMAL_AT = 0.85
export const BACK_TO_REDUCED_BELOW = 0.7
export const BACK_TO_NORMAL_BELOW = 0.55
/** At or above this for STOP_READINGS readings in a row, the tester stops sending: one more step would be the heap limit. */
export const STOP_AT = 0.95
export const STOP_READINGS = 3
export const DEFAULT_DWELL_MS = 2_000

export interface HeapReading {
  /** Long-lived heap in use (V8's old generation): what the heap limit applies to. */
  usedBytes: number
  /** The lower of V8's old-generation limit and the user's `memory.limitBytes`. */
  limitBytes: number
}

export interface ModeDecision {
  mode: MemoryMode
  /** True when this reading changed the mode. */
  changed: boolean
  /** True once the heap stayed at STOP_AT or above for STOP_READINGS readings: stop sending. */
  stop: boolean
}

const percent = (share: number) => `${Math.round(share * 100)}%`

/**
 * normal → reduced → minimal as heap pressure rises; back up only after the pressure stayed below a lower
 * threshold for `dwellMs`. Down steps are immediate (the heap limit does not wait); up steps are late and need
 * a gap between thresholds (0.70 down vs 0.55 up for normal ↔ reduced), so a heap hovering near one threshold
 * does not flip the mode at every reading. Pure: the caller reads the heap and keeps the time.
 */
export class MemoryModeController {
  readonly #dwellMs: number
  #mode: MemoryMode = 'normal'
  #calmSinceMs: number | undefined
  #highReadings = 0
  readonly #switches: ModeSwitch[]

  constructor(options: { dwellMs?: number; startMs?: number } = {}) {
    this.#dwellMs = options.dwellMs ?? DEFAULT_DWELL_MS
    this.#switches = [{ atMs: options.startMs ?? 0, mode: 'normal', reason: 'start' }]
  }

  get mode(): MemoryMode {
    return this.#mode
  }

  /** Every mode since the start, the first being `{ mode: 'normal', reason: 'start' }`. */
  get switches(): ModeSwitch[] {
    return this.#switches.map((entry) => ({ ...entry }))
  }

  update(atMs: number, reading: HeapReading): ModeDecision {
    const pressure = reading.usedBytes / reading.limitBytes
    const figures = `${formatBytes(reading.usedBytes)} of ${formatBytes(reading.limitBytes)}`
    this.#highReadings = pressure >= STOP_AT ? this.#highReadings + 1 : 0
    const stop = this.#highReadings >= STOP_READINGS

    const down: MemoryMode | undefined =
      pressure >= MINIMAL_AT && this.#mode !== 'minimal'
        ? 'minimal'
        : pressure >= REDUCED_AT && this.#mode === 'normal'
          ? 'reduced'
          : undefined
    if (down !== undefined) {
      const threshold = down === 'minimal' ? MINIMAL_AT : REDUCED_AT
      this.#switchTo(
        atMs,
        down,
        `heap ${percent(pressure)} of its limit (${figures}), at or above ${percent(threshold)}`,
      )
      return { mode: down, changed: true, stop }
    }

    const upTo: MemoryMode | undefined =
      this.#mode === 'minimal' && pressure < BACK_TO_REDUCED_BELOW
        ? 'reduced'
        : this.#mode === 'reduced' && pressure < BACK_TO_NORMAL_BELOW
          ? 'normal'
          : undefined
    if (upTo === undefined) {
      this.#calmSinceMs = undefined
      return { mode: this.#mode, changed: false, stop }
    }
    this.#calmSinceMs ??= atMs
    if (atMs - this.#calmSinceMs < this.#dwellMs) return { mode: this.#mode, changed: false, stop }
    const threshold = upTo === 'reduced' ? BACK_TO_REDUCED_BELOW : BACK_TO_NORMAL_BELOW
    this.#switchTo(
      atMs,
      upTo,
      `heap under ${percent(threshold)} of its limit for ${this.#dwellMs / 1000} s (${figures} now)`,
    )
    return { mode: upTo, changed: true, stop }
  }

  #switchTo(atMs: number, mode: MemoryMode, reason: string): void {
    this.#mode = mode
    this.#calmSinceMs = undefined
    this.#switches.push({ atMs: Math.round(atMs), mode, reason })
  }
}
