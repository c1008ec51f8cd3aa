export type Listener<Payload> = (payload: Payload) => void

/**
 * A typed in-process event bus. Unlike `node:events` it has no max-listener warning,
 * so nothing tells you when listeners pile up.
 */
export class EventBus<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Set<Listener<unknown>>>()

  /** Subscribes `listener`; call the returned function to unsubscribe. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    let listeners = this.#listeners.get(name)
    if (!listeners) {
      listeners = new Set()
      this.#listeners.set(name, listeners)
    }
    listeners.add(listener as Listener<unknown>)
    return () => this.off(name, listener)
  }

  off<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): void {
    const listeners = this.#listeners.get(name)
    listeners?.delete(listener as Listener<unknown>)
    if (listeners?.size === 0) this.#listeners.delete(name)
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    // Copy first: a listener may unsubscribe itself while we iterate.
    for (const listener of [...(this.#listeners.get(name) ?? [])]) listener(payload)
  }

  listenerCount(name: keyof Events): number {
    return this.#listeners.get(name)?.size ?? 0
  }
}
