// Bundles the probes' runner (dist/worker/runner.js and what it imports, @qtests/core's statistics included) into
// one module. With `isolate` every test file starts a new worker that loads the runner again: as 26 modules it
// cost ~60 ms of CPU per file in resolving, reading and compiling them; as one, a few ms (bench/overhead/README.md).
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const worker = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/worker')
const out = path.join(worker, '.bundle')
await rm(out, { recursive: true, force: true })
await build({
  input: path.join(worker, 'runner.js'),
  // Vitest is the user's; Node's built-ins; the hunt's source-map reader is loaded only when a hunt starts.
  external: [/^node:/, 'vitest', /^@jridgewell\//],
  platform: 'node',
  // Modules the hunt's chunks share with the runner stay in runner.js (which then exports them too): as chunks of
  // their own they would be two more modules for every worker to load.
  preserveEntrySignatures: 'allow-extension',
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: 'runner.js',
    chunkFileNames: 'runner-[name]-[hash].js',
    sourcemap: true,
  },
})
// The same directory as before, so the runner's own paths (import.meta.url) still point into dist/worker.
for (const file of await readdir(out)) {
  if (file.endsWith('.map')) {
    // The maps name their sources relative to where they were written: make them relative to dist/worker.
    const map = JSON.parse(await readFile(path.join(out, file), 'utf8'))
    map.sources = map.sources.map((source) => path.relative(worker, path.resolve(out, source)))
    await writeFile(path.join(out, file), JSON.stringify(map))
  }
  await rename(path.join(out, file), path.join(worker, file))
}
await rm(out, { recursive: true })
