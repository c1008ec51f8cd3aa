import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type SpawnedVitest, spawnVitest, vitestBin, vitestMajor, vitestTarget } from '@qtests/test-utils'
import { inject } from 'vitest'
import type { QtestsReport } from '../src/report/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Where Vitest and the plugin come from: this package (Vitest 4.1), or the Vitest 5 home (QTESTS_VITEST=5). */
function install(): { nodeModules: string; plugin: string } {
  if (vitestMajor() === '4')
    return { nodeModules: path.resolve(here, '../node_modules'), plugin: path.resolve(here, '../dist/index.js') }
  const home = inject('vitestHome')
  if (!home) throw new Error('QTESTS_VITEST=5 but no Vitest 5 home was prepared (see test/vitestHome.ts)')
  return {
    nodeModules: path.join(home, 'node_modules'),
    plugin: path.join(home, 'node_modules/@qtests/vitest/dist/index.js'),
  }
}

/** The built plugin, as a config file outside the package imports it. */
export function pluginUrl(): string {
  return pathToFileURL(install().plugin).href
}

/**
 * A small project in a temp directory, for one behaviour: `files` maps paths to contents (a function gets the
 * plugin's URL). Vitest resolves from the linked node_modules of the Vitest under test.
 */
export function tempProject(files: Record<string, string | ((pluginUrl: string) => string)>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtests-project-'))
  symlinkSync(install().nodeModules, path.join(dir, 'node_modules'))
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), typeof content === 'function' ? content(pluginUrl()) : content)
  }
  return dir
}

export interface ProjectRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Starts `vitest <args>` in `dir` with the Vitest under test and its Node. */
export async function startVitestIn(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<SpawnedVitest> {
  const target = await vitestTarget()
  return spawnVitest(dir, args, { node: target.node, vitestBin: vitestBin(dir), env, timeoutMs, ownGroup: true })
}

/** `vitest <args>` in `dir`, as a user would start it, to its end. */
export async function runVitestIn(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<ProjectRun> {
  const vitest = await startVitestIn(dir, args, env, timeoutMs)
  const code = await vitest.closed
  return { code, stdout: vitest.stdout(), stderr: vitest.stderr() }
}

/** A config file with the plugin under test and `options` (source text), and `test` config. */
export const configWith =
  (options: string, test = '{}') =>
  (plugin: string) =>
    `import { defineConfig } from 'vitest/config'
import { qtests } from ${JSON.stringify(plugin)}
export default defineConfig({ plugins: [qtests(${options})], test: ${test} })
`

/** Six passing tests: enough for measure mode to judge the file. */
export const passingFile = `import { expect, it } from 'vitest'
for (let i = 0; i < 6; i++) it('adds ' + i, () => expect(i + 1).toBe(1 + i))
`

/** Six tests that each keep 40 KB in a module-level array: a leak measure mode finds. */
export const leakingFile = `import { expect, it } from 'vitest'
const kept = []
for (let i = 0; i < 6; i++) it('keeps ' + i, () => { kept.push(new Array(5000).fill(i)); expect(kept.length).toBeGreaterThan(0) })
`

/** The report a run in `dir` wrote where it goes by default, `.qtests/report.json`. */
export function readReport(dir: string): QtestsReport {
  return JSON.parse(readFileSync(path.join(dir, '.qtests/report.json'), 'utf8')) as QtestsReport
}
