import { describe, expect, it } from 'vitest'
import { compileTemplate, renderRows } from '../src/template-engine.js'

const templates = [
  'Hello {{name}}',
  '{{name}}: {{total}}',
  'Order {{name}} totals {{total}} EUR',
  '<li>{{name}}</li>',
  '{{total}}',
  'Dear {{name}}, your balance is {{total}}.',
  '[{{name}}] {{total}}',
  '{{name}} {{name}} {{name}}',
  'total={{total}}',
  'Plain text with no fields',
]

describe('jit-warmup', () => {
  it('compiles a template with new Function', () => {
    expect(compileTemplate('Hi {{name}}')({ name: 'Ada' })).toBe('Hi Ada')
  })

  it('renders 2000 rows through a freshly compiled template', () => {
    expect(renderRows('{{name}}:{{total}}', 2000)).toBeGreaterThan(2000)
  })

  it.each(templates)('compiles and renders 500 rows of %j', (source) => {
    expect(renderRows(source, 500)).toBeGreaterThan(0)
  })
})
