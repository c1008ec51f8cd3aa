export interface PluginDefinition {
  name: string
  manifest: string
}

declare global {
  // eslint-disable-next-line no-var
  var __checkoutPlugins: PluginDefinition[] | undefined
}

// A process-wide registry on globalThis, so that "two copies of the module" share it; nothing unregisters.
function registry(): PluginDefinition[] {
  globalThis.__checkoutPlugins ??= []
  return globalThis.__checkoutPlugins
}

export function registerPlugin(name: string, manifest: string): void {
  registry().push({ name, manifest })
}

export function registeredPlugins(): number {
  return registry().length
}

export function pluginId(name: string, version: string): string {
  return `${name}@${version}`
}
