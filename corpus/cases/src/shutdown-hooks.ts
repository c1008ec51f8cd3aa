import { numbers } from './payload.js'

type ShutdownHook = () => void

// Hooks run once at process exit; until then every registered closure, and what it captured, stays.
const callbacks: ShutdownHook[] = []

export function onShutdown(hook: ShutdownHook): void {
  callbacks.push(hook)
}

export interface Workspace {
  name: string
  write(index: number, value: number): void
}

export function openWorkspace(name: string, scratchLength: number): Workspace {
  const scratch = numbers(scratchLength)
  onShutdown(() => scratch.fill(0))
  return { name, write: (index, value) => void (scratch[index] = value) }
}

export function shutdownHookCount(): number {
  return callbacks.length
}

export function workspaceSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
}
