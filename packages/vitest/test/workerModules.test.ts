import { execFile } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { readFile } from 'node:fs/promises'
import { expect, it } from 'vitest'

// The probes' runner as a test file's worker loads it: with `isolate` every file starts a new worker, so each
// module it pulls in is loaded again per file (the whole of @qtests/core once cost ~100 ms of CPU per file).
const runner = pathToFileURL(path.resolve(import.meta.dirname, '../dist/worker/runner.js')).href

/** The URLs of every module a fresh Node process loads to import `url`, recorded by a load hook. */
async function modulesLoadedBy(url: string): Promise<string[]> {
  const hook = `let port
export function initialize(data) { port = data.port }
export async function load(url, context, next) { port.postMessage(url); return next(url, context) }`
  const script = `import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
const { port1, port2 } = new MessageChannel()
const urls = []
port1.on('message', (url) => urls.push(url))
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] })
await import(${JSON.stringify(url)})
// The hooks thread posts asynchronously: one more turn after the import lets the last URLs arrive.
await new Promise((resolve) => setTimeout(resolve, 200))
port1.close()
process.stdout.write(JSON.stringify(urls))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '..'),
  })
  return JSON.parse(stdout) as string[]
}

it('a worker loads the probes as one module: no other file of the plugin, nothing of @qtests/core', async () => {
  const urls = await modulesLoadedBy(runner)
  expect(urls).toContain(runner)
  // The runner is bundled at build (scripts/bundle-worker.mjs): as 26 modules it cost ~60 ms of CPU per file.
  const dist = pathToFileURL(path.resolve(import.meta.dirname, '../dist')).href
  const plugin = urls.filter((url) => url.startsWith(`${dist}/`))
  expect(plugin).toEqual([runner])
  expect(urls.filter((url) => url.includes('/core/dist/'))).toEqual([])
  // Nothing the rest of @qtests/core depends on either.
  expect(urls.filter((url) => /\/node_modules\/(lru-cache|secure-json-parse|hdr-histogram-js|pg)\//.test(url))).toEqual(
    [],
  )
})

it("the hunt's code is not in the runner a measure worker loads: a hunt imports it from the runner's chunks", async () => {
  const source = await readFile(new URL(runner), 'utf8')
  // The repeat run's hunt alone runs a test's course and its statistics: measure workers do not compile them.
  expect(source).not.toMatch(/\bHuntedTest = class\b/)
  expect(source).not.toContain('function analyzeLeakSeries')
  const chunks = [...source.matchAll(/import\("(\.\/runner-[^"]+\.js)"\)/g)].map((match) => new URL(match[1]!, runner))
  const hunted = chunks.find((url) => url.pathname.includes('huntedTest'))
  expect(hunted).toBeDefined()
  const { HuntedTest } = (await import(hunted!.href)) as { HuntedTest?: unknown }
  expect(HuntedTest).toBeTypeOf('function')
})
