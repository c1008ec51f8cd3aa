// Pure: where the plugin's own lines may go without breaking what Vitest writes.

/** Vitest's reporters whose output is a document (JSON, XML, TAP) that one extra line would break. */
const DOCUMENT_REPORTERS = new Set(['json', 'junit', 'tap', 'tap-flat'])

interface ReporterConfig {
  /** Vitest's resolved reporters: `[name, options]` pairs, or reporter objects */
  reporters: readonly unknown[]
  outputFile?: string | Record<string, string | undefined>
}

/**
 * True when a reporter writes a document to stdout (`--reporter=json` without an `outputFile` for it):
 * the plugin then prints on stderr, so that `vitest run --reporter=json > results.json` still parses.
 */
export function documentOnStdout(config: ReporterConfig): boolean {
  for (const entry of config.reporters) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined]
    if (typeof name !== 'string' || !DOCUMENT_REPORTERS.has(name)) continue
    const own = (options as { outputFile?: unknown } | undefined)?.outputFile
    const shared = typeof config.outputFile === 'string' ? config.outputFile : config.outputFile?.[name]
    if (!own && !shared) return true
  }
  return false
}
