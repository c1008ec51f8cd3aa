import { inCI } from '../env/ci.js'

/**
 * A progress line rewritten in place on a terminal, and one summary line at the end. Off a terminal, or in CI
 * (`CI` set), only the summary: a log gets one line, not one per update.
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream
  readonly #live: boolean
  #shown = false

  constructor(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
    this.#stream = stream
    this.#live = stream.isTTY === true && !inCI(env)
  }

  /** True when `update` shows anything. */
  get live(): boolean {
    return this.#live
  }

  update(text: string): void {
    if (!this.#live) return
    const width = this.#stream.columns ?? 100
    this.#stream.write(`\r\x1b[2K${text.length > width - 1 ? text.slice(0, width - 1) : text}`)
    this.#shown = true
  }

  done(summary: string): void {
    this.#stream.write(`${this.#shown ? '\r\x1b[2K' : ''}${summary}\n`)
    this.#shown = false
  }
}
