// One process of the cluster-mode tests and benchmark: schedules jobs on one shared key through Redis and
// reports each job's start time (performance.timeOrigin + performance.now(): this machine's clock, sub-ms).
import { RateLimiter } from '../../dist/index.js'

const config = JSON.parse(process.argv[2])
const limiter = new RateLimiter({ ...config.limiter, redis: { url: config.url, prefix: config.prefix, ...config.redis } })

process.once('message', async () => {
  const starts = []
  const outcomes = await Promise.all(
    config.offsetsMs.map(
      (offsetMs, index) =>
        new Promise((resolve) => {
          const schedule = () =>
            limiter
              .schedule(config.key, async () => {
                starts.push({ index, atMs: performance.timeOrigin + performance.now() })
              })
              .then(
                () => resolve('ran'),
                (error) => resolve(error.name),
              )
          if (offsetMs > 0) setTimeout(schedule, offsetMs)
          else schedule()
        }),
    ),
  )
  process.send({ starts, outcomes, stats: limiter.stats() }, async () => {
    await limiter.close()
    process.exit(0)
  })
})
process.send('ready')
