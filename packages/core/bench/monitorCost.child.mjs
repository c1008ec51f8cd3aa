// Run by bench/monitor.bench.mjs: an otherwise idle process, with a PerformanceMonitor at its defaults or
// without one, for argv[3] seconds. Prints its own CPU time (user + system), ms.
import { PerformanceMonitor } from '../dist/index.js'

const withMonitor = process.argv[2] === 'monitor'
const seconds = Number(process.argv[3])
const monitor = withMonitor ? new PerformanceMonitor().start() : undefined
const before = process.cpuUsage()
await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
const cpu = process.cpuUsage(before)
const samples = monitor?.stop().samples ?? 0
process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, samples }))
