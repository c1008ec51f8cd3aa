export interface LoadedConfig {
  retries: number
  values: number[]
}

/** Reads a config; a deprecated key still works but is warned about on the console. */
export function loadConfig(raw: { retries?: number; maxRetries?: number; values: number[] }): LoadedConfig {
  if (raw.maxRetries !== undefined) console.warn(`config: maxRetries is deprecated, use retries (${raw.values.length} values)`)
  return { retries: raw.retries ?? raw.maxRetries ?? 0, values: raw.values }
}
