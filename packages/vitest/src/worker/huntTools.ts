// hunt only: the allocation-site tools (V8's sampling heap profiler, source maps), loaded when a hunt starts so
// that measure mode's workers do not pay for loading them; and how a sampled site is mapped to a user's source.

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SourceMapInput, TraceMap } from '@jridgewell/trace-mapping'
import type { SiteResolver } from './allocationSites.js'

export type HuntTools = Awaited<ReturnType<typeof loadHuntTools>>

export async function loadHuntTools() {
  const [{ originalPositionFor, TraceMap }, { allocationSites }, { HeapSampler }] = await Promise.all([
    import('@jridgewell/trace-mapping'),
    import('./allocationSites.js'),
    import('./heapSampler.js'),
  ])
  return { originalPositionFor, TraceMap, allocationSites, HeapSampler }
}

// Our own built code (this package's and @qtests/core's): never a user's allocation site. Found when a hunt first
// needs it: resolving a package took ~2 ms in a fresh process, paid by every measure worker when it was done on load.
let ownDirs: string[] | undefined
function ourDirs(): string[] {
  ownDirs ??= [
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
    path.dirname(fileURLToPath(import.meta.resolve('@qtests/core'))),
  ]
  return ownDirs
}

function toPath(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url
}

/** Where a sampled allocation came from in a user's file: through the file's source map, read once per file. */
export function siteResolver(
  tools: HuntTools,
  sourceMaps: Map<string, TraceMap | null>,
  sourceMapOf: (file: string) => unknown,
): SiteResolver {
  return {
    isUserFile: (url) =>
      url !== '' &&
      !url.startsWith('node:') &&
      !url.includes('/node_modules/') &&
      (url.startsWith('/') || url.startsWith('file:')) &&
      !ourDirs().some((dir) => toPath(url).startsWith(dir)),
    toSource: (url, line, column) => {
      const file = toPath(url)
      let map = sourceMaps.get(file)
      if (map === undefined) {
        const decoded = sourceMapOf(file)
        map = decoded ? new tools.TraceMap(decoded as SourceMapInput, file) : null
        sourceMaps.set(file, map)
      }
      const original = map ? tools.originalPositionFor(map, { line, column }) : undefined
      if (!original || original.line == null) return { file, line, column }
      return {
        file: original.source ? toPath(original.source) : file,
        line: original.line,
        column: original.column ?? 0,
      }
    },
  }
}
