export interface RequestEntry {
  method: string
  path: string
  status: number
  body: string
}

// Lines are appended until someone calls flushLog(); nothing in the tested code path ever does.
let pendingOutput = ''
let lines = 0

export function logRequest(entry: RequestEntry): void {
  pendingOutput += JSON.stringify(entry) + '\n'
  lines++
}

export function flushLog(write: (chunk: string) => void): void {
  write(pendingOutput)
  pendingOutput = ''
}

export function loggedLines(): number {
  return lines
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`
}
