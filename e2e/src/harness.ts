import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Tarballs of the workspace packages, as a user would download them. */
export interface PackedPackages {
  core: string
  vitest: string
}

export interface VitestRun {
  code: number | null
  stdout: string
  stderr: string
  /** The parsed `report.json`, or null when the run wrote none. */
  report: unknown
  reportPath: string
}

/**
 * Packs `@qtests/core` and `@qtests/vitest` with `pnpm pack` (which rewrites `workspace:*` to the
 * version) into `destination`. Needs a prior `pnpm build`: a package without `dist/` is refused.
 */
export async function packPackages(destination: string): Promise<PackedPackages> {
  mkdirSync(destination, { recursive: true })
  const pack = async (dir: string): Promise<string> => {
    const packageDir = join(repoRoot, 'packages', dir)
    if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
      throw new Error(`${packageDir}/dist/index.js is missing: run \`pnpm build\` at the repository root first`)
    }
    const { stdout } = await execFileAsync('pnpm', ['pack', '--pack-destination', destination, '--json'], {
      cwd: packageDir,
      env: childEnv(),
    })
    const { filename } = JSON.parse(stdout) as { filename: string }
    return resolve(destination, filename)
  }
  const [core, vitest] = await Promise.all([pack('core'), pack('vitest')])
  return { core, vitest }
}

/**
 * Copies `examples/<name>` to `<tempRoot>/<name>` (outside the workspace), points its
 * dependencies at the tarballs and installs them with npm. Returns the copy's directory.
 */
export async function prepareExample(name: string, packed: PackedPackages, tempRoot: string): Promise<string> {
  const source = join(repoRoot, 'examples', name)
  const target = join(tempRoot, name)
  rmSync(target, { recursive: true, force: true })
  cpSync(source, target, {
    recursive: true,
    filter: (path) => !['node_modules', '.qtests', 'dist'].includes(basename(path)),
  })

  const manifestPath = join(target, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const core = `file:${packed.core}`
  manifest.devDependencies = {
    ...manifest.devDependencies,
    '@qtests/core': core,
    '@qtests/vitest': `file:${packed.vitest}`,
    vitest: '4.1.12',
  }
  // The packed @qtests/vitest depends on "@qtests/core": "<version>", which is not published.
  manifest.overrides = { ...manifest.overrides, '@qtests/core': core }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)

  await execFileAsync('npm', ['install', '--no-audit', '--no-fund'], { cwd: target, env: childEnv() })
  return target
}

/**
 * Runs `npx vitest run ...args` in `dir` with `env` on top of a clean environment, after deleting
 * the previous report, and reads the new one.
 */
export async function runVitest(dir: string, env: Record<string, string> = {}, args: string[] = []): Promise<VitestRun> {
  const reportDir = env.QTESTS_REPORT_DIR ? resolve(dir, env.QTESTS_REPORT_DIR) : join(dir, '.qtests')
  const reportPath = join(reportDir, 'report.json')
  rmSync(reportDir, { recursive: true, force: true })

  const vitest = spawnVitest(dir, ['run', ...args], { CI: '1', ...env }, false)
  const code = await vitest.closed
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : null
  return { code, stdout: vitest.stdout(), stderr: vitest.stderr(), report, reportPath }
}

/** A `npx vitest ...args` process left running (watch mode), with its output so far. */
export interface RunningVitest {
  output: () => string
  stop: () => Promise<void>
}

/** Starts `npx vitest ...args` in `dir` (e.g. `watch`) in its own process group; `stop()` ends all of it. */
export function startVitest(dir: string, args: string[], env: Record<string, string> = {}): RunningVitest {
  const vitest = spawnVitest(dir, args, env, true)
  return {
    output: () => vitest.stdout() + vitest.stderr(),
    stop: async () => {
      try {
        process.kill(-vitest.pid, 'SIGTERM')
      } catch {
        // already gone
      }
      await vitest.closed
    },
  }
}

/**
 * `npx vitest ...args` in `dir` with `env` on top of a clean environment, collecting what it prints;
 * `ownGroup` puts it in its own process group, so a watch run can be stopped with its workers.
 */
function spawnVitest(dir: string, args: string[], env: Record<string, string>, ownGroup: boolean) {
  const child = spawn('npx', ['vitest', ...args], {
    cwd: dir,
    env: { ...childEnv(), NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const closed = new Promise<number | null>((resolveCode, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode) => resolveCode(exitCode))
  })
  return { pid: child.pid!, stdout: () => stdout, stderr: () => stderr, closed }
}

/** Pids of live processes whose environment contains `marker` (e.g. a run's unique report directory). */
export function processesWith(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

/**
 * The environment for child processes, without what the outer run would leak into them:
 * Vitest's worker variables, pnpm's npm_* settings and any QTESTS_* switch.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|QTESTS_)/i.test(key) || ['TEST', 'NODE_ENV', 'NODE_OPTIONS'].includes(key)) continue
    env[key] = value
  }
  return env
}
