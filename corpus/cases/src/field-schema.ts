import { numbers } from './payload.js'

// A schema that builds its lookup table on first validation and keeps it on itself.
export interface FieldSchema {
  name: string
  validate(value: number): boolean
}

export function fieldSchema(name: string, limit: number): FieldSchema {
  let table: number[] | undefined
  return {
    name,
    validate(value) {
      table ??= numbers(2500, limit)
      return value >= 0 && value <= (table[0] ?? 0)
    },
  }
}
