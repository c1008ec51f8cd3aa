import { describe, expect, it } from 'vitest'
import { documentOnStdout } from './output.js'

describe('documentOnStdout', () => {
  it('is true for a document reporter without a file to write to', () => {
    expect(documentOnStdout({ reporters: [['default', {}], ['json', {}]] })).toBe(true)
    expect(documentOnStdout({ reporters: [['junit', {}]], outputFile: { json: 'r.json' } })).toBe(true)
  })

  it('is false when every document reporter writes a file, or none is used', () => {
    expect(documentOnStdout({ reporters: [['json', { outputFile: 'r.json' }]] })).toBe(false)
    expect(documentOnStdout({ reporters: [['json', {}], ['junit', {}]], outputFile: 'out' })).toBe(false)
    expect(documentOnStdout({ reporters: [['json', {}]], outputFile: { json: 'r.json' } })).toBe(false)
    expect(documentOnStdout({ reporters: [['default', {}], ['verbose', {}], {}] })).toBe(false)
  })
})
