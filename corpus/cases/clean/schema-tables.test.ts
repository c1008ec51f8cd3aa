import { describe, expect, it } from 'vitest'
import { fieldSchema } from '../src/field-schema.js'

// Each test owns a schema created when the file is collected; its first validation builds a 20 KB
// table that the schema keeps, and the schema lives as long as the test's closure (the whole file).
// A run of the file grows test after test; repeating a test adds nothing. Not a leak.
const fields = Array.from({ length: 12 }, (_, i) => fieldSchema(`field-${i + 1}`, 100 + i))

describe('schema-tables', () => {
  const quantity = fieldSchema('quantity', 50)
  it('accepts a quantity within its limit', () => {
    expect(quantity.validate(10)).toBe(true)
  })

  it('rejects a negative value without a schema table', () => {
    expect(-1 >= 0).toBe(false)
  })

  for (const field of fields)
    it(`validates ${field.name}`, () => {
      expect(field.validate(5)).toBe(true)
    })
})
