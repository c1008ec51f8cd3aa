import { TestRunner } from 'vitest'
import type { RunnerTaskResult, RunnerTestCase, RunnerTestSuite } from 'vitest'

// What the probes use of Vitest's runner that its API does not document: the module runner's maps, the
// task-update sender, suite hooks, and fields of a test's result. One place for all of it, for Vitest 4.1 and
// 5 (checked against the installed Vitest by test/vitestInternals.test.ts).

/** A module of the module runner: its source file and the ids of the modules it imported. */
interface ModuleNode {
  file?: string
  imports?: Set<string>
}

interface ModuleRunnerInternals {
  evaluatedModules?: {
    /** source file → its modules: the files a worker loaded through Vitest */
    fileToModulesMap?: Map<string, Iterable<ModuleNode>>
    /** module id (a file URL for an externalized dependency) → module, with its exports once evaluated */
    idToModuleMap?: Map<string, ModuleNode & { exports?: unknown }>
    getModuleSourceMapById?(id: string): { map: unknown } | null
  }
}

function moduleRunner(runner: object): ModuleRunnerInternals | undefined {
  return (runner as { moduleRunner?: ModuleRunnerInternals }).moduleRunner
}

/** The source files the worker loaded through Vitest's module runner. */
export function loadedModuleFiles(runner: object): string[] {
  return [...(moduleRunner(runner)?.evaluatedModules?.fileToModulesMap?.keys() ?? [])]
}

/**
 * The source files that `roots` (a test file and the setup files) loaded through Vitest's module runner,
 * following each module's imports: in a reused worker (`isolate: false`), only this file's share of
 * everything loaded so far. `undefined` when the modules do not record their imports or none was found.
 */
export function importedModuleFiles(runner: object, roots: readonly string[]): string[] | undefined {
  const modules = moduleRunner(runner)?.evaluatedModules
  const byFile = modules?.fileToModulesMap
  const byId = modules?.idToModuleMap
  if (!byFile || !byId) return undefined
  const files = new Set<string>()
  const seen = new Set<ModuleNode>()
  const queue: ModuleNode[] = roots.flatMap((root) => [...(byFile.get(root) ?? [])])
  for (let node = queue.pop(); node; node = queue.pop()) {
    if (seen.has(node)) continue
    seen.add(node)
    if (!node.imports) return undefined
    if (node.file) files.add(node.file)
    for (const id of node.imports) {
      const imported = byId.get(id)
      if (imported) queue.push(imported)
    }
  }
  return files.size ? [...files] : undefined
}

/** Every module the module runner evaluated, by id, externalized dependencies included. */
export function evaluatedModules(runner: object): Map<string, { exports?: unknown }> | undefined {
  return moduleRunner(runner)?.evaluatedModules?.idToModuleMap
}

/** The source map Vitest's transform made for a file the worker ran, if any. */
export function sourceMapOf(runner: object, file: string): unknown {
  return moduleRunner(runner)?.evaluatedModules?.getModuleSourceMapById?.(file)?.map
}

/**
 * Wraps the function Vitest sends task updates to the main process with (an instance field it sets on the
 * runner), so that the probes know which updates still await an answer. The messages are unchanged.
 */
export function onTaskUpdateSent(runner: object, sent: (answer: PromiseLike<unknown>) => void): boolean {
  const fields = runner as { onTaskUpdate?: (...args: unknown[]) => unknown }
  const send = fields.onTaskUpdate
  if (typeof send !== 'function') return false
  fields.onTaskUpdate = function (this: unknown, ...args: unknown[]) {
    const answer = send.apply(this, args)
    // Checked by shape, not `instanceof Promise`, which fails for a promise from another realm.
    if (answer && typeof (answer as PromiseLike<unknown>).then === 'function') sent(answer as PromiseLike<unknown>)
    return answer
  }
  return true
}

/** Suite levels whose beforeEach or afterEach hooks run around the test: each queues task events per run. */
export function hookLevels(test: RunnerTestCase): number {
  let levels = 0
  for (
    let suite: RunnerTestSuite | undefined = test.suite ?? test.file;
    suite;
    suite = suite.suite ?? (suite === suite.file ? undefined : suite.file)
  ) {
    const hooks = TestRunner.getSuiteHooks(suite) as unknown as { beforeEach: unknown[]; afterEach: unknown[] }
    if (hooks.beforeEach.length > 0) levels++
    if (hooks.afterEach.length > 0) levels++
  }
  return levels
}

/** `ctx.skip()` marks a result `pending`, a field Vitest's public type leaves out. */
export function skippedItself(result: RunnerTaskResult): boolean {
  return (result as { pending?: boolean }).pending === true || result.state === 'skip'
}

/** Ends a test's repeats now: Vitest's loop stops at a pending (skipped) result. */
export function stopRepeats(result: RunnerTaskResult): void {
  Object.assign(result, { state: 'skip', pending: true })
}

/** The note a skip or an abort leaves on a result. */
export function resultNote(result: RunnerTaskResult): string | undefined {
  return (result as { note?: string }).note
}

/**
 * Vitest 5 records every run of a test as an attempt in its result (4.1 keeps nothing): in the repeat run they
 * are nobody's, and would be ~100 B a run the test does not keep. The record of the run under way is added
 * after `onAfterRetryTask`, so this leaves at most that one.
 */
export function forgetAttempts(result: RunnerTaskResult): void {
  const attempts = (result as { attempts?: unknown[] }).attempts
  if (Array.isArray(attempts)) attempts.length = 0
}

/**
 * Vitest 4.1 wraps a test's function so that each run adds an abort listener to the test's signal, closing over
 * that run's promise — and so over what the test returned (a returned, unawaited `.resolves` chain resolves to
 * an assertion holding the value and an Error: ~2 KB a run) — and keeps it until the test ends. Called just
 * before the test function runs: the first 'abort' listener added to `signal` from then on is that one (the
 * wrapper adds it before it calls the test). The returned function removes it; call it once the run settled,
 * when the listener can no longer do anything. It returns whether one was caught.
 */
export function forgetRunListener(signal: AbortSignal | undefined): () => boolean {
  if (!signal) return () => false
  let caught: Parameters<AbortSignal['addEventListener']>[1] | undefined
  const own = Object.hasOwn(signal, 'addEventListener')
  const add = signal.addEventListener
  const restore = () => {
    if (own) signal.addEventListener = add
    else delete (signal as Partial<Pick<AbortSignal, 'addEventListener'>>).addEventListener
  }
  signal.addEventListener = function catchFirst(
    this: AbortSignal,
    ...args: Parameters<AbortSignal['addEventListener']>
  ) {
    if (caught === undefined && args[0] === 'abort') {
      caught = args[1]
      restore()
    }
    return Reflect.apply(add, this, args)
  } as AbortSignal['addEventListener']
  return () => {
    if (caught === undefined) {
      restore()
      return false
    }
    signal.removeEventListener('abort', caught)
    return true
  }
}
