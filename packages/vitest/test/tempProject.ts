import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const vitestBin = path.resolve(here, '../node_modules/vitest/vitest.mjs')
/** The built plugin, as a config file outside the package imports it. */
export const pluginUrl = pathToFileURL(path.resolve(here, '../dist/index.js')).href

/**
 * A small project in a temp directory, for one behaviour: `files` maps paths to contents. Vitest resolves from
 * this package's node_modules (linked in).
 */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-project-'))
  symlinkSync(path.resolve(here, '../node_modules'), path.join(dir, 'node_modules'))
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), content)
  }
  return dir
}

export interface ProjectRun {
  code: number | null
  stdout: string
  stderr: string
}

/** `vitest <args>` in `dir`, as a user would start it; killed after `timeoutMs`. */
export function runVitestIn(dir: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ProjectRun> {
  const child = spawn(process.execPath, [vitestBin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

/** Six passing tests: enough for measure mode to judge the file. */
export const passingFile = `import { expect, it } from 'vitest'
for (let i = 0; i < 6; i++) it('adds ' + i, () => expect(i + 1).toBe(1 + i))
`

/** Six tests that each keep 40 KB in a module-level array: a leak measure mode finds. */
export const leakingFile = `import { expect, it } from 'vitest'
const kept = []
for (let i = 0; i < 6; i++) it('keeps ' + i, () => { kept.push(new Array(5000).fill(i)); expect(kept.length).toBeGreaterThan(0) })
`
