import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * V8's gc function without starting the process with --expose-gc: contexts created while the flag is on
 * get one. The flag goes off again at once, as in the Vitest plugin's probe: left on, V8 rejects the code
 * cache of every Node built-in loaded afterwards.
 */
export function fetchGc(): () => void {
  v8.setFlagsFromString('--expose-gc')
  try {
    return vm.runInNewContext('gc') as () => void
  } finally {
    v8.setFlagsFromString('--no-expose-gc')
  }
}

let gc: (() => void) | undefined

/** One full garbage collection, now. */
export function forceFullGc(): void {
  gc ??= fetchGc()
  gc()
}
