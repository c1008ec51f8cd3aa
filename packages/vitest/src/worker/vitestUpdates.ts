import { clearTimer, setTimer } from './captured.js'
import { onTaskUpdateSent } from './vitestRunner.js'

// How long a sample waits for the main process to acknowledge Vitest's task updates.
const UPDATES_WAIT_MS = 2000

/**
 * hunt: Vitest sends task updates to the main process every 100 ms or so, and each message stays
 * in memory (promise, RPC bookkeeping) until its answer is read — which, during the repeats of a
 * synchronous test, is only after the test ends. On a busy machine the runs are slow, more messages
 * go out per run, and clean tests grew 1–3 KB per run from them (test/hunt.test.ts). So Vitest's send
 * is wrapped once per worker (its messages are unchanged) and each sample first lets the answers in.
 */
export class VitestUpdates {
  /** Vitest's task-update messages to the main process that it has not acknowledged yet */
  #pending = new Set<Promise<unknown>>()
  #tracking = false

  track(runner: Parameters<typeof onTaskUpdateSent>[0]) {
    if (this.#tracking) return
    this.#tracking = true
    const pending = this.#pending
    onTaskUpdateSent(runner, (answer) => {
      const answered = Promise.resolve(answer)
      pending.add(answered)
      const settle = () => pending.delete(answered)
      answered.then(settle, settle)
    })
  }

  async answered(): Promise<void> {
    if (this.#pending.size === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    // Bounded: a main process that never answers (cancelled run) must not hang the test.
    await Promise.race([
      Promise.allSettled([...this.#pending]),
      new Promise((resolve) => (timer = setTimer(resolve, UPDATES_WAIT_MS))),
    ])
    clearTimer(timer)
  }
}
