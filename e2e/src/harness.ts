import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { installProject, type PackedPackages, repoRoot, spawnVitest, vitestBin, vitestTarget } from '@qtests/test-utils'

export { packPackages, processesWith } from '@qtests/test-utils'

export interface VitestRun {
  code: number | null
  stdout: string
  stderr: string
  /** The parsed `report.json`, or null when the run wrote none. */
  report: unknown
  reportPath: string
}

/**
 * Copies `examples/<name>` to `<tempRoot>/<name>` (outside the workspace) and installs it with npm: the packed
 * tarballs, and the Vitest under test (4.1 on Node 20, or 5 on Node 22 with QTESTS_VITEST=5). Returns the copy.
 */
export async function prepareExample(name: string, packed: PackedPackages, tempRoot: string): Promise<string> {
  const source = join(repoRoot, 'examples', name)
  const target = join(tempRoot, name)
  rmSync(target, { recursive: true, force: true })
  cpSync(source, target, {
    recursive: true,
    filter: (path) => !['node_modules', '.qtests', 'dist'].includes(basename(path)),
  })
  await installProject(target, packed, await vitestTarget())
  return target
}

/**
 * Runs `vitest run ...args` in `dir` with `env` on top of a clean environment, after deleting the previous
 * report, and reads the new one.
 */
export async function runVitest(
  dir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<VitestRun> {
  const reportDir = env.QTESTS_REPORT_DIR ? resolve(dir, env.QTESTS_REPORT_DIR) : join(dir, '.qtests')
  const reportPath = join(reportDir, 'report.json')
  rmSync(reportDir, { recursive: true, force: true })
  const target = await vitestTarget()
  const vitest = spawnVitest(dir, ['run', ...args], {
    node: target.node,
    vitestBin: vitestBin(dir),
    env: { CI: '1', ...env },
  })
  const code = await vitest.closed
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : null
  return { code, stdout: vitest.stdout(), stderr: vitest.stderr(), report, reportPath }
}

/** A `vitest ...args` process left running (watch mode), with its output so far. */
export interface RunningVitest {
  output: () => string
  stop: () => Promise<void>
}

/** Starts `vitest ...args` in `dir` (e.g. `watch`) in its own process group; `stop()` ends all of it. */
export async function startVitest(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningVitest> {
  const target = await vitestTarget()
  const vitest = spawnVitest(dir, args, { node: target.node, vitestBin: vitestBin(dir), env, ownGroup: true })
  return { output: () => vitest.stdout() + vitest.stderr(), stop: () => vitest.stop() }
}
