import { describe, expect, it } from 'vitest'
import { ProgressLine } from './progress.js'

/** A stream that records what is written; `isTTY` as given. */
function fakeTerminal(isTTY: boolean) {
  const written: string[] = []
  const stream = { isTTY, columns: 40, write: (text: string) => written.push(text) > 0 }
  return { stream: stream as unknown as NodeJS.WriteStream, written }
}

describe('ProgressLine', () => {
  it('rewrites one line on a terminal, then ends it with the summary', () => {
    const { stream, written } = fakeTerminal(true)
    const line = new ProgressLine(stream, {})
    line.update('1 of 2')
    line.done('done: 2')
    expect(line.live).toBe(true)
    expect(written).toEqual(['\r\x1b[2K1 of 2', '\r\x1b[2Kdone: 2\n'])
  })

  it.each([
    ['true', false],
    ['1', false],
    ['false', true],
    ['0', true],
    ['', true],
  ])('CI=%j: live progress %s', (ci, live) => {
    const { stream, written } = fakeTerminal(true)
    const line = new ProgressLine(stream, { CI: ci })
    line.update('working')
    line.done('summary')
    expect(line.live).toBe(live)
    expect(written.at(-1)).toMatch(/summary\n$/)
    expect(written.length).toBe(live ? 2 : 1)
  })

  it('writes only the summary off a terminal', () => {
    const { stream, written } = fakeTerminal(false)
    const line = new ProgressLine(stream, {})
    line.update('working')
    line.done('summary')
    expect(written).toEqual(['summary\n'])
  })
})
