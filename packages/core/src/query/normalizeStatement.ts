/**
 * The key under which a statement's plan estimate and history are kept: comments dropped, whitespace
 * collapsed, string and number literals replaced by `?` (as pg_stat_statements does), so
 * `WHERE id = 5` and `WHERE id = 6` share an entry. Parameters ($1) and identifiers stay as written.
 * Only a key: the SQL sent to the server is never changed.
 */
export function normalizeStatement(sql: string): string {
  let out = ''
  let i = 0
  const n = sql.length
  let pendingSpace = false
  const emit = (text: string) => {
    if (pendingSpace && out.length > 0) out += ' '
    pendingSpace = false
    out += text
  }
  while (i < n) {
    const c = sql[i]!
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++
      pendingSpace = true
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      pendingSpace = true
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      pendingSpace = true
    } else if (c === "'") {
      // A string literal; '' inside is an escaped quote.
      i++
      while (i < n && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1
      i++
      emit('?')
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1)
      const stop = end < 0 ? n : end + 1
      emit(sql.slice(i, stop))
      i = stop
    } else if (/[0-9]/.test(c) && (pendingSpace || !/[A-Za-z0-9_$]/.test(out.at(-1) ?? ''))) {
      while (i < n && /[0-9.eE]/.test(sql[i]!)) i++
      emit('?')
    } else {
      let j = i + 1
      if (/[A-Za-z0-9_$]/.test(c)) while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++
      emit(sql.slice(i, j))
      i = j
    }
  }
  return out.replace(/;$/, '')
}
