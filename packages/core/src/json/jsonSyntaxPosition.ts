/**
 * Offset (UTF-16 index) of the first character where `text` stops being valid JSON (RFC 8259), or
 * `text.length` when it ends too early; -1 when it is valid. V8's own messages name the position for
 * some errors only ("Unexpected token '}', … is not valid JSON" has none), so the error path scans
 * again. Pure and only called after JSON.parse failed: its speed does not matter.
 */
export function jsonSyntaxPosition(text: string): number {
  let i = 0
  const n = text.length
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  }
  // Each parse step returns false at the offending character, leaving `i` on it.
  const value = (): boolean => {
    skipSpace()
    const c = text[i]
    if (c === '{') return object()
    if (c === '[') return array()
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    return number()
  }
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return false
    return true
  }
  const digits = (): boolean => {
    const start = i
    while (i < n && text[i]! >= '0' && text[i]! <= '9') i++
    return i > start
  }
  const number = (): boolean => {
    if (text[i] === '-') i++
    if (text[i] === '0') i++
    else if (!digits()) return false
    if (text[i] === '.') {
      i++
      if (!digits()) return false
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (text[i] === '+' || text[i] === '-') i++
      if (!digits()) return false
    }
    return true
  }
  const string = (): boolean => {
    i++
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return true
      }
      if (c < 0x20) return false
      if (c === 0x5c) {
        i++
        const e = text[i]
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return false
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return false
      }
      i++
    }
    return false
  }
  const array = (): boolean => {
    i++
    skipSpace()
    if (text[i] === ']') {
      i++
      return true
    }
    for (;;) {
      if (!value()) return false
      skipSpace()
      if (text[i] === ']') {
        i++
        return true
      }
      if (text[i] !== ',') return false
      i++
    }
  }
  const object = (): boolean => {
    i++
    skipSpace()
    if (text[i] === '}') {
      i++
      return true
    }
    for (;;) {
      skipSpace()
      if (text[i] !== '"' || !string()) return false
      skipSpace()
      if (text[i] !== ':') return false
      i++
      if (!value()) return false
      skipSpace()
      if (text[i] === '}') {
        i++
        return true
      }
      if (text[i] !== ',') return false
      i++
    }
  }
  if (!value()) return Math.min(i, n)
  skipSpace()
  return i < n ? i : -1
}

/** 1-based line and column of a UTF-16 offset, for messages a person reads in an editor. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let k = 0; k < position && k < text.length; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++
      lineStart = k + 1
    }
  }
  return { line, column: position - lineStart + 1 }
}
