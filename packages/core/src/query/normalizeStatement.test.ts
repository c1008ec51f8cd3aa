import { describe, expect, it } from 'vitest'
import { normalizeStatement } from './normalizeStatement.js'

describe('normalizeStatement', () => {
  it('replaces literals, drops comments and collapses whitespace, keeping parameters and identifiers', () => {
    expect(normalizeStatement("SELECT *  FROM t1\n WHERE id = 42 AND name = 'o''brien' -- who\n AND x > $1;")).toBe(
      'SELECT * FROM t1 WHERE id = ? AND name = ? AND x > $1',
    )
    expect(normalizeStatement('select /* hint */ 1.5e3, "Col 2" from t')).toBe('select ?, "Col 2" from t')
    expect(normalizeStatement('SELECT * FROM t WHERE id = 5')).toBe(normalizeStatement('SELECT * FROM t  WHERE id = 6'))
  })
})
