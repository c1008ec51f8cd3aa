import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { cacheDir, installProject, packPackages, vitestMajor, vitestTarget } from '@qtests/test-utils'
import type { TestProject } from 'vitest/node'

/**
 * Global setup of this package's tests. QTESTS_VITEST=5: the fixtures run under Vitest 5 on Node 22, so a
 * directory with Vitest 5 and the plugin packed from this build is installed first (once per run; npm reuses
 * what did not change). Vitest 4.1 (the default) needs nothing: fixtures run in place.
 */
export default async function setup(project: TestProject) {
  if (vitestMajor() === '4') return
  const target = await vitestTarget()
  const home = path.join(cacheDir, `vitest-${target.vitest}-home`)
  mkdirSync(home, { recursive: true })
  const packed = await packPackages(path.join(home, 'tarballs'))
  // happy-dom: the DOM environment whose own AbortSignal the probes must cope with (test/hunt.test.ts)
  await installProject(home, packed, target, { 'happy-dom': '21.0.4' })
  project.provide('vitestHome', home)
}
