import { Console } from 'node:console'
import { createRequire } from 'node:module'
import { Writable } from 'node:stream'
import type { ToolingHold } from '../shared/protocol.js'

// The repeat run (hunt) only: memory that test tooling keeps on the test's behalf is not the test's leak.
// Each sampled run's new mocks are taken out of the tool's registry before the GC; whatever still holds
// them afterwards (the test's own module state) keeps them, and that growth stays the test's. Vitest's own
// registries are reached in vitestMocks.ts.

/** Where a tool keeps what a run created: `mark()` before the run, `release()` after it. */
export interface ToolingRegistry {
  readonly holder: ToolingHold['holder']
  /** remembers what the registry holds now */
  mark(): void
  /** objects created since `mark()`, without removing them */
  added(): number
  /** takes the objects created since `mark()` out of the registry; returns how many */
  release(): number
}

/**
 * sinon's default sandbox (`sinon.stub()`, `sinon.spy()`) keeps every fake in an array until `sinon.restore()`;
 * a fake's own `restore()` puts the method back but leaves the fake in the array.
 */
export function sinonSandbox(sinon: unknown): ToolingRegistry | undefined {
  const sandbox = sinon as { getFakes?: () => unknown[] } | undefined
  if (typeof sandbox?.getFakes !== 'function') return undefined
  let length = 0
  // sinon.restore() replaces the array: it is read anew each time.
  const fakes = () => {
    const list = sandbox.getFakes!()
    return Array.isArray(list) ? list : []
  }
  return {
    holder: 'sinon-sandbox',
    mark() {
      length = fakes().length
    },
    added() {
      return Math.max(0, fakes().length - length)
    },
    release() {
      const list = fakes()
      const count = list.length - length
      if (count <= 0) return 0
      list.splice(length, count)
      return count
    },
  }
}

const SINON_MODULE = /[\\/]node_modules[\\/]sinon[\\/]/

/**
 * The sinon a test file loaded, if any: through Vitest's module runner (an ES import, externalized or
 * inlined: `evaluatedModules` holds its exports) or Node's `require`. Undefined when none is loaded yet.
 */
export function loadedSinon(evaluatedModules: Map<string, { exports?: unknown }> | undefined): unknown {
  const candidates: unknown[] = []
  for (const [id, module] of evaluatedModules ?? []) {
    if (!SINON_MODULE.test(id)) continue
    const exports = module.exports as { default?: unknown } | undefined
    candidates.push(exports?.default, exports)
  }
  const cache = createRequire(import.meta.url).cache
  for (const [file, module] of Object.entries(cache))
    if (SINON_MODULE.test(file) && /[\\/]lib[\\/]sinon\.js$/.test(file)) candidates.push(module?.exports)
  return candidates.find(
    (candidate) => typeof (candidate as { getFakes?: unknown } | undefined)?.getFakes === 'function',
  )
}

/**
 * The repeat run's console: output of its runs goes nowhere. Vitest's console capture keeps each test's
 * output until the test ends, which in a repeated test looks like a leak of ~4 KB per `console.warn`; and
 * nobody reads the repeat run's output. The methods are replaced in place, so code that kept a reference to
 * `console` (a vm context's) is silenced too.
 */
export function silenceConsole(target: Console = console): void {
  const nowhere = new Writable({
    write(_chunk, _encoding, callback) {
      callback()
    },
  })
  const quiet = new Console({ stdout: nowhere, stderr: nowhere })
  for (const key of Object.keys(Object.getPrototypeOf(quiet)).concat(Object.keys(quiet))) {
    const method = (quiet as unknown as Record<string, unknown>)[key]
    if (typeof method === 'function') (target as unknown as Record<string, unknown>)[key] = method.bind(quiet)
  }
}
