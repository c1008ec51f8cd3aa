// Independent cross-check of the labels (not the plugin): repeats every test N times and samples
// heapUsed + external after a full GC following each iteration (after afterEach hooks).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TestRunner, type RunnerTestCase, type RunnerTestFile } from 'vitest'

const iterations = Number(process.env.CALIBRATE_ITERATIONS ?? 24)
const outDir = process.env.CALIBRATE_OUT ?? '/tmp/qtests-calibrate'
const gc = (globalThis as { gc?: () => void }).gc

function retainedBytes(): number {
  gc!()
  gc!()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

function fullName(test: RunnerTestCase): string {
  const names = [test.name]
  for (let suite = test.suite; suite?.name && suite !== (test.file as unknown); suite = suite.suite)
    names.unshift(suite.name)
  return names.join(' > ')
}

export default class CalibrationRunner extends TestRunner {
  private samples = new Map<string, number[]>()

  override async onBeforeRunTask(test: RunnerTestCase): Promise<void> {
    test.repeats = iterations - 1
    this.samples.set(test.id, [retainedBytes()])
    await super.onBeforeRunTask(test)
  }

  // Called by @vitest/runner after each repeat, once afterEach hooks have run.
  onAfterRetryTask(test: RunnerTestCase): void {
    this.samples.get(test.id)?.push(retainedBytes())
  }

  override onAfterRunFiles(files: RunnerTestFile[] = []): void {
    mkdirSync(outDir, { recursive: true })
    for (const file of files) {
      const tests = file.tasks.flatMap(function collect(task): RunnerTestCase[] {
        return task.type === 'test' ? [task] : 'tasks' in task ? task.tasks.flatMap(collect) : []
      })
      const result = tests.map((test) => ({ name: fullName(test), samples: this.samples.get(test.id) ?? [] }))
      writeFileSync(
        join(outDir, file.name.replaceAll('/', '__') + '.json'),
        JSON.stringify({ file: file.name, tests: result }),
      )
    }
    super.onAfterRunFiles()
  }
}
