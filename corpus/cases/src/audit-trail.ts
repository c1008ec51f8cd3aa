export interface AuditEntry {
  action: string
  sequence: number
  snapshot: number[]
}

// Kept "for debugging" and never trimmed: every recorded action stays reachable.
const entries: AuditEntry[] = []
let sequence = 0

export function recordAudit(action: string, state: number[]): AuditEntry {
  const entry = { action, sequence: sequence++, snapshot: state.slice() }
  entries.push(entry)
  return entry
}

export function auditSize(): number {
  return entries.length
}

export function formatAuditLine(action: string, actor: string): string {
  return `[audit] ${actor} ${action}`
}
