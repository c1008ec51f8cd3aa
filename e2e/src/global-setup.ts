import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { packPackages, prepareExample } from './harness.js'

export type ExampleName = 'basic' | 'leaky-service' | 'worker-scaling' | 'service-toolkit' | 'load-service'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Installed copies of the examples, outside the workspace, by example name. */
    examples: Record<ExampleName, string>
    /** Scratch space for the run; removed afterwards unless QTESTS_E2E_KEEP is set. */
    tempRoot: string
  }
}

// Packing and `npm install` take ~30 s, so they happen once per run; every test reuses the copies.
export default async function setup(project: TestProject) {
  // No "qtests" in the name: the tests look for that word in Vitest's output.
  const tempRoot = mkdtempSync(join(tmpdir(), 'e2e-examples-'))
  const packed = await packPackages(join(tempRoot, 'tarballs'))
  const [basic, leakyService, workerScaling, serviceToolkit, loadService] = await Promise.all([
    prepareExample('basic', packed, tempRoot),
    prepareExample('leaky-service', packed, tempRoot),
    prepareExample('worker-scaling', packed, tempRoot),
    prepareExample('service-toolkit', packed, tempRoot),
    prepareExample('load-service', packed, tempRoot),
  ])
  project.provide('examples', {
    basic,
    'leaky-service': leakyService,
    'worker-scaling': workerScaling,
    'service-toolkit': serviceToolkit,
    'load-service': loadService,
  })
  project.provide('tempRoot', tempRoot)

  return () => {
    if (process.env.QTESTS_E2E_KEEP) process.stderr.write(`e2e: kept the installed examples in ${tempRoot}\n`)
    else rmSync(tempRoot, { recursive: true, force: true })
  }
}
