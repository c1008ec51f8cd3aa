import { numbers } from './payload.js'

export class Parser {
  readonly scratch = numbers(2048)
  parse(input: string): number {
    for (let i = 0; i < input.length; i++) this.scratch[i % 2048] = input.charCodeAt(i)
    return input.length
  }
}

// Parsers are created on demand up to the highest concurrent use, then reused.
export class ParserPool {
  private readonly idle: Parser[] = []
  created = 0

  acquire(): Parser {
    const parser = this.idle.pop()
    if (parser) return parser
    this.created++
    return new Parser()
  }

  release(parser: Parser): void {
    this.idle.push(parser)
  }
}

export const parsers = new ParserPool()
