// One of the 3 processes of the cluster benchmark: schedules `jobs` empty jobs on one shared limit through
// Redis, with our RateLimiter or bottleneck's ioredis datastore, and reports how long they took.
import Bottleneck from 'bottleneck'
import { RateLimiter } from '../dist/index.js'

const { which, url, prefix, jobs, limit, intervalMs } = JSON.parse(process.argv[2])
const { hostname, port } = new URL(url)

let schedule
let close
if (which === 'ours') {
  const limiter = new RateLimiter({ limit, intervalMs, redis: { url, prefix } })
  schedule = (fn) => limiter.schedule('shared', fn)
  close = () => limiter.close()
} else {
  const limiter = new Bottleneck({
    id: prefix,
    datastore: 'ioredis',
    clientOptions: { host: hostname, port: Number(port) },
    reservoir: limit,
    reservoirRefreshAmount: limit,
    reservoirRefreshInterval: intervalMs,
  })
  await limiter.ready()
  schedule = (fn) => limiter.schedule(fn)
  close = () => limiter.disconnect()
}
// One job before "ready": connections open, scripts loaded, our fresh-prefix wait (one window) spent.
await schedule(async () => {})
process.send('ready')
process.once('message', async () => {
  const startedMs = performance.now()
  await Promise.all(Array.from({ length: jobs }, () => schedule(async () => {})))
  const elapsedMs = performance.now() - startedMs
  process.send({ elapsedMs }, async () => {
    await close()
    process.exit(0)
  })
})
