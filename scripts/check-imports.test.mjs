import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { importViolations, relativeImports } from './check-imports.mjs'

describe('check-imports', () => {
  it('finds static, dynamic, side-effect and re-export specifiers, relative ones only', () => {
    const source = [
      "import { a } from './a.js'",
      "import type { B } from '../shared/b.js'",
      "export { c } from './c/c.js'",
      "import './side.js'",
      "const d = await import('../d/d.js')",
      "import { e } from 'vitest'",
    ].join('\n')
    assert.deepEqual(relativeImports(source), ['./a.js', '../shared/b.js', './c/c.js', './side.js', '../d/d.js'])
  })

  it('rejects a file of a folder above, and accepts a sibling folder or the own folder', () => {
    assert.equal(importViolations('packages/vitest/src/report/a.ts', "import { x } from '../index.js'").length, 1)
    assert.equal(
      importViolations('packages/vitest/src/report/a.ts', "import { x } from '../../package.json'").length,
      1,
    )
    assert.deepEqual(
      importViolations(
        'packages/vitest/src/report/a.ts',
        "import { x } from '../shared/x.js'\nimport { y } from './y.js'",
      ),
      [],
    )
    assert.deepEqual(importViolations('packages/core/src/json/a.test.ts', "import { gc } from '../../test/gc.js'"), [])
  })

  it('rejects report/ importing plugin/ or pool/, and worker/ importing main-process folders', () => {
    assert.equal(
      importViolations('packages/vitest/src/report/reporter.ts', "import type { R } from '../plugin/options.js'")
        .length,
      1,
    )
    assert.equal(
      importViolations('packages/vitest/src/report/reporter.ts', "import type { W } from '../pool/workerScaling.js'")
        .length,
      1,
    )
    assert.equal(
      importViolations('packages/vitest/src/worker/runner.ts', "import { x } from '../report/verdicts.js'").length,
      1,
    )
    assert.deepEqual(
      importViolations('packages/vitest/src/plugin/qtests.ts', "import { W } from '../pool/workerScaling.js'"),
      [],
    )
  })
})
