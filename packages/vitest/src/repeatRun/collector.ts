import type { Reporter, TestModule } from 'vitest/node'
import { type FileProbeMeta, META_KEY, type TestProbeMeta } from '../shared/protocol.js'
import type { RepeatedFile, RepeatMessage } from '../shared/repeatRun.js'

/**
 * The repeat run's only reporter: sends each finished file's probe records to the user's run, over the IPC
 * channel of the child process. Nothing is printed, nothing written.
 */
export class RepeatRunCollector implements Reporter {
  onTestModuleEnd(module: TestModule) {
    send({ type: 'file', file: repeatedFile(module) })
  }
}

export function repeatedFile(module: TestModule): RepeatedFile {
  const errors = module.errors()
  const file: RepeatedFile = {
    project: module.project.name || '',
    moduleId: module.moduleId,
    state: module.state(),
    probe: module.meta()[META_KEY] as FileProbeMeta | undefined,
    tests: [...module.children.allTests()].map((test) => ({
      id: test.id,
      name: test.fullName,
      probe: test.meta()[META_KEY] as TestProbeMeta | undefined,
    })),
  }
  if (errors.length) file.error = (errors[0]?.message ?? String(errors[0])).split('\n')[0]!.slice(0, 300)
  return file
}

function send(message: RepeatMessage): void {
  if (process.connected) process.send!(message)
}
