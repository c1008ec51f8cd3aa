// One process of the cluster-mode tests. It serves several runs, so a property test pays for starting
// Node and loading the package once per process, not once per run. For each run the parent sends
// { type: 'prepare', config }, then { type: 'go' } to every process at once; this process schedules the
// run's jobs (each on its key, at its offset, holding its slot for holdMs), reports the order it called
// schedule in and when each job started (performance.timeOrigin + performance.now(): this machine's
// clock, sub-ms), then closes its limiter.
import { RateLimiter } from '../dist/index.js'

let prepared

process.on('message', async (message) => {
  if (message.type === 'prepare') {
    const { config } = message
    const limiter = new RateLimiter({
      ...config.limiter,
      redis: { url: config.url, prefix: config.prefix, ...config.redis },
    })
    prepared = { limiter, jobs: config.jobs }
    process.send({ type: 'ready' })
  } else if (message.type === 'go') {
    const { limiter, jobs } = prepared
    prepared = undefined
    const result = await run(limiter, jobs)
    await limiter.close()
    process.send({ type: 'result', ...result })
  }
})
// The parent went away (finished, or a failed test that never said goodbye): nothing left to serve.
process.on('disconnect', () => process.exit(0))

async function run(limiter, jobs) {
  const scheduled = []
  const starts = []
  let running = 0
  let mostRunning = 0
  const outcomes = await Promise.all(
    jobs.map(
      ({ key, offsetMs, holdMs }, index) =>
        new Promise((resolve) => {
          const schedule = () => {
            scheduled.push(index)
            limiter
              .schedule(key, async () => {
                starts.push({ index, key, atMs: performance.timeOrigin + performance.now() })
                mostRunning = Math.max(mostRunning, ++running)
                if (holdMs > 0) await new Promise((done) => setTimeout(done, holdMs))
                running--
              })
              .then(
                () => resolve('ran'),
                (error) => resolve(error.name),
              )
          }
          if (offsetMs > 0) setTimeout(schedule, offsetMs)
          else schedule()
        }),
    ),
  )
  return { scheduled, starts, outcomes, mostRunning, stats: limiter.stats() }
}
