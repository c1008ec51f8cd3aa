import { describe, expect, it } from 'vitest'
import { documentOnStdout } from './output.js'

describe('documentOnStdout', () => {
  it('is true for a document reporter without a file to write to', () => {
    expect(
      documentOnStdout(
        {
          reporters: [
            ['default', {}],
            ['json', {}],
          ],
        },
        4,
      ),
    ).toBe(true)
    expect(documentOnStdout({ reporters: [['junit', {}]], outputFile: { json: 'r.json' } }, 4)).toBe(true)
    expect(documentOnStdout({ reporters: [['tap-flat', {}]] }, 5)).toBe(true)
  })

  it('is false when every document reporter writes a file, or none is used', () => {
    expect(documentOnStdout({ reporters: [['json', { outputFile: 'r.json' }]] }, 4)).toBe(false)
    expect(
      documentOnStdout(
        {
          reporters: [
            ['json', {}],
            ['junit', {}],
          ],
          outputFile: 'out',
        },
        4,
      ),
    ).toBe(false)
    expect(documentOnStdout({ reporters: [['json', {}]], outputFile: { json: 'r.json' } }, 4)).toBe(false)
    expect(documentOnStdout({ reporters: [['default', {}], ['verbose', {}], {}] }, 4)).toBe(false)
  })

  it('knows that Vitest 5 writes JSON and JUnit to a file of its own by default', () => {
    expect(
      documentOnStdout(
        {
          reporters: [
            ['json', {}],
            ['junit', {}],
          ],
        },
        5,
      ),
    ).toBe(false)
  })
})
