import type { ToolingRegistry } from './tooling.js'

// Vitest's mock registries, which no API exposes: the one place that knows how to reach them in Vitest 4.1
// and 5 (checked against the installed Vitest by test/vitestInternals.test.ts). The repeat run takes what a
// run of a test added to them out again before sampling (see tooling.ts).

interface Vi {
  clearAllMocks(): unknown
  restoreAllMocks(): unknown
  isMockFunction(value: unknown): boolean
}

/** The registries this Vitest keeps mocks in, for the repeat run; empty when none could be reached. */
export function vitestMockRegistries(vi: Vi): ToolingRegistry[] {
  const registries: ToolingRegistry[] = []
  const mocks = registeredMocks(vi)
  const spies = spyRestorers(vi)
  // Vitest 4.1 holds a spy twice: in the registry of every mock, and through its restorer (whose closure keeps
  // the spy) until `vi.restoreAllMocks()`, which a spy's own `mockRestore()` does not call. One holder, both
  // released: releasing the registry alone left a restored `vi.spyOn(console, 'error')` growing ~3 KB a run.
  if (mocks)
    registries.push(
      spies
        ? releasingAlso(setRegistry('vitest-mocks', mocks), setRegistry('vitest-mocks', spies))
        : setRegistry('vitest-mocks', mocks),
    )
  else if (spies) registries.push(setRegistry('vitest-spies', spies))
  return registries
}

/**
 * Vitest 4.1 keeps every `vi.fn()` and `vi.spyOn()` in a module-private Set that nothing clears
 * (`REGISTERED_MOCKS` in @vitest/spy), so mocks created inside a test pile up until the worker ends.
 * `vi.clearAllMocks()` walks that Set with `forEach`: calling it once with `Set.prototype.forEach` swapped for
 * a stub that keeps its receiver hands us the Set without clearing anything. (Vitest 5 holds mocks weakly.)
 */
export function registeredMocks(vi: Vi): Set<unknown> | undefined {
  const realForEach = Set.prototype.forEach
  let found: Set<unknown> | undefined
  Set.prototype.forEach = function (this: Set<unknown>) {
    found ??= this
  }
  try {
    vi.clearAllMocks()
  } catch {
    found = undefined
  } finally {
    Set.prototype.forEach = realForEach
  }
  if (!found) return undefined
  for (const item of found) if (!vi.isMockFunction(item)) return undefined
  return found
}

/** Thrown inside `restoreAllMocks` to stop it before it restores anything. */
class FoundIt extends Error {}

/**
 * Vitest 5 keeps each spy's restore function (which holds the spy) in a Set that only `vi.restoreAllMocks()`
 * empties — a spy's own `mockRestore()` leaves it there. `restoreAllMocks` walks it with `for…of`: an iterator
 * that keeps its receiver and throws stops the walk before anything is restored. In Vitest 4.1 that walk finds
 * the same kind of Set (`MOCK_RESTORE`), whose restorers keep their spies too.
 */
export function spyRestorers(vi: Vi): Set<unknown> | undefined {
  const realIterator = Set.prototype[Symbol.iterator]
  let found: Set<unknown> | undefined
  Set.prototype[Symbol.iterator] = function (this: Set<unknown>) {
    found ??= this
    throw new FoundIt()
  }
  try {
    vi.restoreAllMocks()
  } catch (error) {
    if (!(error instanceof FoundIt)) found = undefined
  } finally {
    Set.prototype[Symbol.iterator] = realIterator
  }
  if (!found) return undefined
  for (const item of found) if (typeof item !== 'function') return undefined
  return found
}

/** `main`, whose release also releases what `also` got since the same mark (counted once, as `main`'s). */
function releasingAlso(main: ToolingRegistry, also: ToolingRegistry): ToolingRegistry {
  return {
    holder: main.holder,
    mark() {
      main.mark()
      also.mark()
    },
    added: () => main.added(),
    release() {
      also.release()
      return main.release()
    },
  }
}

/** A registry kept in an insertion-ordered Set: what a run added comes after what was there before it. */
function setRegistry(holder: ToolingRegistry['holder'], registry: Set<unknown>): ToolingRegistry {
  let size = registry.size
  return {
    holder,
    mark() {
      size = registry.size
    },
    added() {
      return Math.max(0, registry.size - size)
    },
    release() {
      const count = registry.size - size
      if (count <= 0) return 0
      const created: unknown[] = []
      let index = 0
      for (const item of registry) if (index++ >= size) created.push(item)
      for (const item of created) registry.delete(item)
      return created.length
    },
  }
}
