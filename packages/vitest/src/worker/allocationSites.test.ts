import { describe, expect, it } from 'vitest'
import { allocationSites, type SamplingHeapProfileNode, type SiteResolver } from './allocationSites.js'

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 2,
})
const node = (callFrame: ReturnType<typeof frame>, selfSize: number, children: SamplingHeapProfileNode[] = []) => ({
  callFrame,
  selfSize,
  children,
})

const resolver: SiteResolver = {
  isUserFile: (url) => url.startsWith('/app/') && !url.includes('/node_modules/'),
  toSource: (url, line, column) => ({ file: url.replace('/app/', ''), line: line + 100, column }),
}

describe('allocationSites', () => {
  it('attributes each live allocation to the innermost user frame, heaviest first, with shares of all live bytes', () => {
    const profile = {
      head: node(frame('(root)', ''), 0, [
        node(frame('recordRequest', '/app/src/audit.ts', 9), 600, [
          // allocated inside a library, called from the user's code: the user's call is the site
          node(frame('push', '/app/node_modules/lib/index.js'), 200),
        ]),
        node(frame('handler', '/app/src/http.ts', 41), 100),
        node(frame('runTest', 'node:internal/vitest'), 100),
      ]),
    }
    expect(allocationSites(profile, resolver)).toEqual([
      { file: 'src/audit.ts', line: 110, column: 2, functionName: 'recordRequest', bytes: 800, share: 0.8 },
      { file: 'src/http.ts', line: 142, column: 2, functionName: 'handler', bytes: 100, share: 0.1 },
    ])
  })

  it('finds nothing when no allocation stayed alive', () => {
    expect(allocationSites({ head: node(frame('(root)', ''), 0) }, resolver)).toEqual([])
  })
})
