import { execFile } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from './paths.js'
import { childEnv } from './processes.js'

const execFileAsync = promisify(execFile)

/** Tarballs of the workspace packages, as a user would download them. */
export interface PackedPackages {
  core: string
  vitest: string
}

/**
 * Packs `@qtests/core` and `@qtests/vitest` with `pnpm pack` (which rewrites `workspace:*` to the version)
 * into `destination`. Needs a prior `pnpm build`: a package without `dist/` is refused.
 */
export async function packPackages(destination: string): Promise<PackedPackages> {
  mkdirSync(destination, { recursive: true })
  const pack = async (dir: string): Promise<string> => {
    const packageDir = path.join(repoRoot, 'packages', dir)
    if (!existsSync(path.join(packageDir, 'dist', 'index.js'))) {
      throw new Error(`${packageDir}/dist/index.js is missing: run \`pnpm build\` at the repository root first`)
    }
    const { stdout } = await execFileAsync('pnpm', ['pack', '--pack-destination', destination, '--json'], {
      cwd: packageDir,
      env: childEnv(),
    })
    const { filename } = JSON.parse(stdout) as { filename: string }
    return path.resolve(destination, filename)
  }
  const [core, vitest] = await Promise.all([pack('core'), pack('vitest')])
  return { core, vitest }
}
