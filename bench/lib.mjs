// Helpers both benchmarks use (bench/overhead, bench/workers): statistics and process CPU time.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export const seconds = (ms) => (ms / 1000).toFixed(2)

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/**
 * CPU time (user + sys) of this process's reaped children, in ms, from /proc/self/stat (cutime, cstime);
 * null where /proc is missing. Vitest reaps its workers, so the difference over one run covers the whole
 * process tree. Unlike wall time it barely moves when other work competes for the CPUs, so it is the
 * steadier estimate on a shared machine.
 */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state) of proc(5); cutime and cstime are fields 16 and 17.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicksPerSecond
  } catch {
    return null
  }
}

/**
 * CPU time (user, nice, system, irq, softirq, steal) every CPU of the machine has spent busy since boot,
 * in ms, from the first line of /proc/stat; null where /proc is missing. Over one run, this minus the
 * run's own process tree (`childrenCpuMs`) is what other processes took: this benchmark's own polling
 * and whatever else shares the machine.
 */
export function machineBusyMs() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal = 0] = fields
    return ((user + nice + system + irq + softirq + steal) * 1000) / clockTicksPerSecond
  } catch {
    return null
  }
}
