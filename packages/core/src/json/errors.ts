/** Why `safeJSONParse` refused a text. */
export type JSONParseErrorKind = 'syntax' | 'forbiddenKey' | 'tooLarge'

/**
 * `safeJSONParse` refused a text. A SyntaxError, like JSON.parse's, so existing `catch` blocks keep
 * working; `position` (UTF-16 offset), `line` and `column` (1-based) say where, except for `tooLarge`.
 */
export class JSONParseError extends SyntaxError {
  override readonly name = 'JSONParseError'
  readonly kind: JSONParseErrorKind
  /** Offset of the offending character or key in the text; for `tooLarge`, the byte limit. */
  readonly position: number
  readonly line: number | undefined
  readonly column: number | undefined

  constructor(
    kind: JSONParseErrorKind,
    message: string,
    position: number,
    where?: { line: number; column: number },
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause })
    this.kind = kind
    this.position = position
    this.line = where?.line
    this.column = where?.column
  }
}
