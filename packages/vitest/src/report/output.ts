// Pure: where the plugin's own lines may go without breaking what Vitest writes.

/**
 * Vitest's reporters whose output is a document (JSON, XML, TAP) that one extra line would break, when they have
 * no file to write to: Vitest 5 writes JSON and JUnit to `.vitest/` by default, 4.1 to stdout.
 */
const DOCUMENT_REPORTERS: Record<'4' | '5', ReadonlySet<string>> = {
  '4': new Set(['json', 'junit', 'tap', 'tap-flat']),
  '5': new Set(['tap', 'tap-flat']),
}

interface ReporterConfig {
  /** Vitest's resolved reporters: `[name, options]` pairs, or reporter objects */
  reporters: readonly unknown[]
  outputFile?: string | Record<string, string | undefined>
}

/**
 * True when a reporter writes a document to stdout (`--reporter=json` without an `outputFile` for it, in Vitest
 * 4.1): the plugin then prints on stderr, so that `vitest run --reporter=json > results.json` still parses.
 */
export function documentOnStdout(config: ReporterConfig, vitestMajor: number): boolean {
  const documents = DOCUMENT_REPORTERS[vitestMajor >= 5 ? '5' : '4']
  for (const entry of config.reporters) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined]
    if (typeof name !== 'string' || !documents.has(name)) continue
    const own = (options as { outputFile?: unknown } | undefined)?.outputFile
    const shared = typeof config.outputFile === 'string' ? config.outputFile : config.outputFile?.[name]
    if (!own && !shared) return true
  }
  return false
}
