// RateLimiter vs bottleneck 2.19.5: local throughput (one process) and cluster throughput (3 processes
// sharing one limit through Redis). Run: pnpm --filter @qtests/core bench:rate
// Redis: QTESTS_REDIS_URL if set, else a private redis-server on a free port (killed at the end).
import { spawn, fork } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import Bottleneck from 'bottleneck'
import { measure } from 'mitata'
import { RateLimiter } from '../dist/index.js'

const LOCAL_TARGET_RATIO = 100
const measureOptions = { min_samples: 5, warmup_samples: 1, min_cpu_time: 300e6 }

async function jobsPerSecond(jobsPerIteration, makeRun) {
  const stats = await measure(makeRun(jobsPerIteration), measureOptions)
  return { jobsPerSecond: jobsPerIteration / (stats.p50 / 1e9), samples: stats.samples.length }
}

function table(title, rows) {
  console.log(`\n${title}`)
  const header = ['', 'jobs/s', 'vs bottleneck', 'target', 'holds']
  const lines = rows.map((r) => [
    r.name,
    Math.round(r.jobsPerSecond).toLocaleString('en-US'),
    r.ratio,
    r.target,
    r.holds,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)))
  const fmt = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ')
  console.log(fmt(header))
  for (const l of lines) console.log(fmt(l))
}

// Local: same job (resolves at once), same cap of 8 running, a limit that never binds: pure overhead.
const oursLocal = await jobsPerSecond(10_000, (n) => async () => {
  const limiter = new RateLimiter({ limit: 1e9, intervalMs: 1000, maxConcurrent: 8 })
  const jobs = new Array(n)
  for (let i = 0; i < n; i++) jobs[i] = limiter.schedule(() => Promise.resolve(i))
  await Promise.all(jobs)
})
const bottleneckLocal = await jobsPerSecond(100, (n) => async () => {
  const limiter = new Bottleneck({ maxConcurrent: 8 })
  const jobs = new Array(n)
  for (let i = 0; i < n; i++) jobs[i] = limiter.schedule(() => Promise.resolve(i))
  await Promise.all(jobs)
})
const localRatio = oursLocal.jobsPerSecond / bottleneckLocal.jobsPerSecond
table('Local, maxConcurrent 8, one process', [
  {
    name: 'RateLimiter',
    ...oursLocal,
    ratio: `${localRatio.toFixed(0)}x`,
    target: `>= ${LOCAL_TARGET_RATIO}x`,
    holds: localRatio >= LOCAL_TARGET_RATIO ? 'yes' : 'NO',
  },
  { name: 'bottleneck', ...bottleneckLocal, ratio: '1x', target: '', holds: '' },
])

// Cluster: 3 processes, one shared limit of 1e6 per second (never binds), empty jobs; median of 3 rounds.
const redis = await redisForBench()
const CHILD = fileURLToPath(new URL('./rateLimit.cluster.child.mjs', import.meta.url))
async function clusterRound(which, jobs, round) {
  const prefix = `qtests-bench:${process.pid}:${which}:${round}`
  const config = { which, url: redis.url, prefix, jobs, limit: 1_000_000, intervalMs: 1000 }
  const children = [0, 1, 2].map(() =>
    fork(CHILD, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  )
  await Promise.all(children.map((c) => once(c, 'message')))
  const results = children.map((c) => once(c, 'message'))
  const startedMs = performance.now()
  for (const c of children) c.send('go')
  await Promise.all(results)
  const wallMs = performance.now() - startedMs
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)))
  return (3 * jobs) / (wallMs / 1000)
}
async function clusterJobsPerSecond(which, jobs) {
  const rounds = []
  for (let round = 0; round < 3; round++) rounds.push(await clusterRound(which, jobs, round))
  rounds.sort((a, b) => a - b)
  return rounds[1]
}
try {
  const oursCluster = await clusterJobsPerSecond('ours', 5000)
  const bottleneckCluster = await clusterJobsPerSecond('bottleneck', 500)
  const clusterRatio = oursCluster / bottleneckCluster
  table('Cluster, 3 processes, one limit shared through Redis (median of 3 rounds)', [
    {
      name: 'RateLimiter (Lua script, batched)',
      jobsPerSecond: oursCluster,
      ratio: `${clusterRatio.toFixed(1)}x`,
      target: '> 1x (decides the design)',
      holds: clusterRatio > 1 ? 'yes' : 'NO',
    },
    { name: "bottleneck (datastore 'ioredis')", jobsPerSecond: bottleneckCluster, ratio: '1x', target: '', holds: '' },
  ])
} finally {
  await redis.stop()
}

async function redisForBench() {
  if (process.env.QTESTS_REDIS_URL) return { url: process.env.QTESTS_REDIS_URL, stop: async () => {} }
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  child.on('error', () => {
    console.error('bench:rate needs redis-server (apt-get install -y redis-server) or QTESTS_REDIS_URL.')
    process.exit(1)
  })
  let output = ''
  for await (const chunk of child.stdout) {
    output += chunk
    if (output.includes('Ready to accept connections')) break
  }
  child.stdout.resume()
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGKILL')
      if (child.exitCode === null) await once(child, 'exit')
    },
  }
}
