import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is packages/test-utils/{src,dist}/paths). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** Installs the tests make once and reuse (Node 22, Vitest 5, tarballs): ignored by git, kept between runs. */
export const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'qtests')
