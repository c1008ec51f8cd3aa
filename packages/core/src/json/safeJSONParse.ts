import secureJSON from 'secure-json-parse'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'
import { JSONParseError } from './errors.js'
import { jsonSyntaxPosition, lineAndColumn } from './jsonSyntaxPosition.js'

export interface SafeJSONParseOptions {
  /**
   * Largest text accepted, in UTF-8 bytes; a longer one is refused before parsing. Default 1 MiB, the
   * request-body limit fastify (secure-json-parse's main user) ships with. `Infinity` turns it off.
   */
  maxBytes?: number
  /** JSON.parse's reviver; it sees values before the prototype-poisoning check runs on the result. */
  reviver?: (this: unknown, key: string, value: unknown) => unknown
}

const OWNER = 'safeJSONParse'
const OPTION_KEYS: Record<keyof SafeJSONParseOptions, true> = { maxBytes: true, reviver: true }
const OPTION_NAMES = Object.keys(OPTION_KEYS)
const DEFAULT_MAX_BYTES = 1024 * 1024
const REFUSE_POISONING = { protoAction: 'error', constructorAction: 'error' } as const

/** A key, in any mix of literal and `\uXXXX`-escaped characters, followed by its colon. */
function keyPattern(word: string): RegExp {
  const chars = [...word].map((c) => {
    const code = c.charCodeAt(0).toString(16).padStart(4, '0')
    return `(?:${c}|\\\\u${code.replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)})`
  })
  return new RegExp(`"${chars.join('')}"\\s*:`)
}
const PROTO_KEY = keyPattern('__proto__')
const CONSTRUCTOR_KEY = keyPattern('constructor')

/**
 * JSON.parse that refuses prototype poisoning — any `__proto__` key, and a `constructor` key holding a
 * `prototype` (secure-json-parse's rules, which this calls) — and texts over `maxBytes`. Every refusal
 * is a `JSONParseError` naming the position (offset, line, column).
 */
export function safeJSONParse<T = unknown>(text: string | Uint8Array, options?: SafeJSONParseOptions): T {
  let maxBytes = DEFAULT_MAX_BYTES
  let reviver: SafeJSONParseOptions['reviver']
  if (options !== undefined) {
    checkOptionsObject(OWNER, options)
    checkKnownKeys(OWNER, options, OPTION_NAMES)
    if (options.maxBytes !== undefined) {
      maxBytes = checkOption(
        OWNER,
        'maxBytes',
        options.maxBytes,
        is.positiveOrInfinity,
        'a number of bytes > 0 or Infinity',
      )
    }
    if (options.reviver !== undefined)
      reviver = checkOption(OWNER, 'reviver', options.reviver, is.function, 'a function')
  }
  if (typeof text !== 'string') {
    if (!(text instanceof Uint8Array)) {
      throw new TypeError(`${OWNER}: text must be a string or a Buffer; got ${text === null ? 'null' : typeof text}.`)
    }
    if (text.byteLength > maxBytes) throw tooLarge(text.byteLength, maxBytes)
    text = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8')
  } else if (text.length > maxBytes / 3 && Buffer.byteLength(text, 'utf8') > maxBytes) {
    // A UTF-16 unit is at most 3 UTF-8 bytes: short texts skip the byte count.
    throw tooLarge(Buffer.byteLength(text, 'utf8'), maxBytes)
  }
  try {
    return secureJSON.parse(text, reviver, REFUSE_POISONING) as T
  } catch (error) {
    throw explain(text, error)
  }
}

function tooLarge(bytes: number, maxBytes: number): JSONParseError {
  return new JSONParseError(
    'tooLarge',
    `${OWNER}: text is ${bytes} bytes, over maxBytes (${maxBytes}); pass a larger maxBytes if such input is expected.`,
    maxBytes,
  )
}

/** Turns JSON.parse's or secure-json-parse's SyntaxError into one that says where. */
function explain(text: string, error: unknown): unknown {
  if (!(error instanceof SyntaxError)) return error // a reviver's own error
  // secure-json-parse strips a byte order mark before parsing; positions count from after it.
  const offset = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const body = offset === 0 ? text : text.slice(1)
  const syntaxAt = jsonSyntaxPosition(body)
  if (syntaxAt >= 0) {
    const where = lineAndColumn(text, syntaxAt + offset)
    const what = syntaxAt >= body.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(body[syntaxAt])}`
    return new JSONParseError(
      'syntax',
      `${OWNER}: invalid JSON, ${what} at position ${syntaxAt + offset} (line ${where.line}, column ${where.column}).`,
      syntaxAt + offset,
      where,
      error,
    )
  }
  // Valid JSON refused anyway: the poisoning check. Name the first key that triggers it.
  const proto = PROTO_KEY.exec(body)
  const match = proto ?? CONSTRUCTOR_KEY.exec(body)
  const key = proto ? '__proto__' : 'constructor.prototype'
  const position = (match?.index ?? 0) + offset
  const where = lineAndColumn(text, position)
  return new JSONParseError(
    'forbiddenKey',
    `${OWNER}: forbidden key "${key}" at position ${position} (line ${where.line}, column ${where.column}); ` +
      'such keys can rewrite object prototypes (prototype poisoning) and are refused.',
    position,
    where,
    error,
  )
}
