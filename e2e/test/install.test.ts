import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, inject, it } from 'vitest'

const execFileAsync = promisify(execFile)
const dir = inject('examples').basic

/** What an ES module script prints when Node runs it in the installed project, trimmed. */
async function printedInProject(script: string): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir })
  return stdout.trim()
}

describe('installing the packed tarballs outside the workspace', () => {
  it('resolves a single @qtests/core, shared with @qtests/vitest', () => {
    const core = JSON.parse(readFileSync(join(dir, 'node_modules/@qtests/core/package.json'), 'utf8'))
    const plugin = JSON.parse(readFileSync(join(dir, 'node_modules/@qtests/vitest/package.json'), 'utf8'))
    expect(plugin.dependencies['@qtests/core']).toBe(core.version)
    expect(existsSync(join(dir, 'node_modules/@qtests/vitest/node_modules/@qtests/core'))).toBe(false)
  })

  it('ships ESM with type declarations for both packages', () => {
    for (const name of ['core', 'vitest']) {
      expect(existsSync(join(dir, `node_modules/@qtests/${name}/dist/index.js`)), name).toBe(true)
      expect(existsSync(join(dir, `node_modules/@qtests/${name}/dist/index.d.ts`)), name).toBe(true)
    }
  })

  it('exports qtests as a named and as the default export', async () => {
    const stdout = await printedInProject(
      "const m = await import('@qtests/vitest'); console.log(typeof m.qtests, m.default === m.qtests)",
    )
    expect(stdout).toBe('function true')
  })

  it('exports loadTest from @qtests/vitest/load, the same function as the plugin entry has, with its types', async () => {
    const stdout = await printedInProject(
      [
        "const load = await import('@qtests/vitest/load')",
        "const plugin = await import('@qtests/vitest')",
        'console.log(typeof load.loadTest, load.loadTest === plugin.loadTest, typeof load.LoadTestError)',
      ].join('\n'),
    )
    expect(stdout).toBe('function true function')
    expect(existsSync(join(dir, 'node_modules/@qtests/vitest/dist/load/loadTest.d.ts'))).toBe(true)
  })
})
