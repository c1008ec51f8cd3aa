import { describe, expect, it } from 'vitest'
import { forgetRunListener, importedModuleFiles, loadedModuleFiles } from './vitestRunner.js'

/** A runner whose module runner holds `graph`: file → the files it imports (ids are the files here). */
function runnerWith(graph: Record<string, string[]>, withImports = true) {
  const nodes = new Map(
    Object.entries(graph).map(([file, imports]) => [
      file,
      withImports ? { file, imports: new Set(imports) } : { file },
    ]),
  )
  return {
    moduleRunner: {
      evaluatedModules: {
        fileToModulesMap: new Map([...nodes].map(([file, node]) => [file, new Set([node])])),
        idToModuleMap: nodes,
      },
    },
  }
}

describe('importedModuleFiles', () => {
  // a reused worker after two test files: b's modules are in the graph but not a's concern
  const graph = {
    '/p/a.test.ts': ['/p/src/a.ts', '/p/node_modules/x/index.js'],
    '/p/src/a.ts': ['/p/src/shared.ts'],
    '/p/src/shared.ts': ['/p/src/a.ts'],
    '/p/b.test.ts': ['/p/src/b.ts'],
    '/p/src/b.ts': ['/p/src/shared.ts'],
    '/p/setup.ts': ['/p/src/env.ts'],
    '/p/src/env.ts': [],
    '/p/node_modules/x/index.js': [],
  }

  it('lists a test file’s own imports and its setup files’, not what earlier files of the worker loaded', () => {
    const runner = runnerWith(graph)
    expect(loadedModuleFiles(runner)).toHaveLength(8)
    expect(importedModuleFiles(runner, ['/p/a.test.ts', '/p/setup.ts'])?.sort()).toEqual(
      [
        '/p/a.test.ts',
        '/p/node_modules/x/index.js',
        '/p/setup.ts',
        '/p/src/a.ts',
        '/p/src/env.ts',
        '/p/src/shared.ts',
      ].sort(),
    )
  })

  it('says it cannot tell when the modules do not record their imports, or the test file is not there', () => {
    expect(importedModuleFiles(runnerWith(graph, false), ['/p/a.test.ts'])).toBeUndefined()
    expect(importedModuleFiles(runnerWith(graph), ['/p/c.test.ts'])).toBeUndefined()
    expect(importedModuleFiles({}, ['/p/a.test.ts'])).toBeUndefined()
  })
})

describe('forgetRunListener', () => {
  it("removes the first abort listener added after it, leaves the test's own, and puts addEventListener back", () => {
    const controller = new AbortController()
    const { signal } = controller
    const heard: string[] = []
    const forget = forgetRunListener(signal)
    signal.addEventListener('abort', () => heard.push('vitest'))
    signal.addEventListener('abort', () => heard.push('test'))
    expect(Object.hasOwn(signal, 'addEventListener')).toBe(false)
    expect(forget()).toBe(true)
    controller.abort()
    expect(heard).toEqual(['test'])
  })

  it('says so when no listener was added, and leaves the signal as it was', () => {
    const { signal } = new AbortController()
    const forget = forgetRunListener(signal)
    expect(forget()).toBe(false)
    expect(Object.hasOwn(signal, 'addEventListener')).toBe(false)
    expect(forgetRunListener(undefined)()).toBe(false)
  })
})
