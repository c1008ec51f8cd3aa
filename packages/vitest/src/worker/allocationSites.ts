import type { AllocationSiteMeta } from '../shared/protocol.js'

// Pure: turns a sampling heap profile into the few places in the user's code that allocated what stayed alive.

export interface CallFrame {
  functionName: string
  url: string
  /** 0-based, in the code V8 ran (after Vite's transform) */
  lineNumber: number
  columnNumber: number
}

export interface SamplingHeapProfileNode {
  callFrame: CallFrame
  selfSize: number
  children: SamplingHeapProfileNode[]
}

export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode
}

export type AllocationSite = AllocationSiteMeta

export interface SiteResolver {
  /** user code: not Node internals, not node_modules, not the probes themselves */
  isUserFile(url: string): boolean
  /** maps a position in the code V8 ran to the source (1-based line, 0-based column) */
  toSource(url: string, line: number, column: number): { file: string; line: number; column: number }
}

/**
 * Attributes every sampled live allocation to the innermost frame of user code on its stack (a leak
 * through a library still points at the user's call into it) and returns the heaviest sites.
 */
export function allocationSites(profile: SamplingHeapProfile, resolver: SiteResolver, limit = 3): AllocationSite[] {
  const bySite = new Map<string, { frame: CallFrame; bytes: number }>()
  let total = 0
  const stack: CallFrame[] = []
  const visit = (node: SamplingHeapProfileNode) => {
    stack.push(node.callFrame)
    if (node.selfSize > 0) {
      total += node.selfSize
      for (let i = stack.length - 1; i >= 0; i--) {
        const frame = stack[i]!
        if (!resolver.isUserFile(frame.url)) continue
        const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`
        const entry = bySite.get(key) ?? { frame, bytes: 0 }
        entry.bytes += node.selfSize
        bySite.set(key, entry)
        break
      }
    }
    for (const child of node.children) visit(child)
    stack.pop()
  }
  visit(profile.head)
  if (total === 0) return []
  return [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit)
    .map(({ frame, bytes }) => {
      const source = resolver.toSource(frame.url, frame.lineNumber + 1, frame.columnNumber)
      return {
        ...source,
        functionName: frame.functionName || '(anonymous)',
        bytes,
        share: Math.round((bytes / total) * 1000) / 1000,
      }
    })
}
