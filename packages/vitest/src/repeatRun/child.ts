// The repeat run's process: a second Vitest, started by the user's run once it is over, or with its first growing
// file where files may run beside the run (see startRepeatRun.ts); it says when its Vitest is ready.
// It loads the user's config (so their plugins, setup files and globalSetup run as before), and the qtests
// plugin there sees REPEAT_RUN_ENV and turns it into the repeat run: the probes' runner in hunt mode, no
// reporters but the collector, no snapshot written, no cache, no coverage.

import { REPEAT_JOB_KEY, type RepeatCommand, type RepeatJob, type RepeatMessage } from '../shared/repeatRun.js'

type CreateVitest = (
  mode: 'test',
  options: Record<string, unknown>,
  viteOverrides?: Record<string, unknown>,
  vitestOptions?: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream },
) => Promise<{
  getProjectByName(name: string): { createSpecification(moduleId: string): unknown }
  runTestSpecifications(specifications: unknown[], allTestsRun?: boolean): Promise<{ unhandledErrors: unknown[] }>
  close(): Promise<void>
}>

function send(message: RepeatMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve()
    process.send!(message, undefined, {}, () => resolve())
  })
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.slice(0, 300)
}

// The user's run is gone (Ctrl-C, killed): so is the reason to go on.
process.on('disconnect', () => process.exit(130))

// One listener from the start: a command sent right behind the job must not arrive before anyone listens.
// Files still to run; with `job.more`, the user's run adds them as its files end, then says it is over.
const queue: RepeatJob['files'] = []
let open = false
let wake = () => {}
const job = await new Promise<RepeatJob>((resolve) => {
  let first = true
  process.on('message', (message) => {
    if (first) {
      first = false
      const received = message as RepeatJob
      queue.push(...received.files)
      open = received.more === true
      return resolve(received)
    }
    const command = message as RepeatCommand
    if (command?.type === 'more') queue.push(...command.files)
    else if (command?.type === 'end') open = false
    wake()
  })
})
;(globalThis as Record<symbol, unknown>)[REPEAT_JOB_KEY] = job

const nextCommand = () => new Promise<void>((resolve) => (wake = resolve))

try {
  const { createVitest } = (await import(job.vitestNodeUrl)) as { createVitest: CreateVitest }
  const vitest = await createVitest(
    'test',
    {
      ...job.cliOptions,
      root: job.root,
      config: job.configFile,
      watch: false,
      // Runs are measured failing or not; a failed run must not end the repeat run.
      bail: 0,
      coverage: { enabled: false },
      // Nothing the repeat run does may write a user's file: Vitest's results cache is one.
      cache: false,
    },
    {},
    { stdout: process.stdout, stderr: process.stderr },
  )
  try {
    await send({ type: 'ready' })
    const unhandledErrors: unknown[] = []
    while (queue.length || open) {
      if (!queue.length) {
        await nextCommand()
        continue
      }
      const specifications = queue
        .splice(0)
        .map((file) => vitest.getProjectByName(file.project).createSpecification(file.moduleId))
      const result = await vitest.runTestSpecifications(specifications, false)
      unhandledErrors.push(...result.unhandledErrors)
    }
    await send({ type: 'done', unhandledErrors: unhandledErrors.map(describeError) })
  } finally {
    await vitest.close()
  }
} catch (error) {
  await send({ type: 'failed', error: describeError(error) })
}
process.exit(0)
