import { spawn } from 'node:child_process'
import { childEnv } from './processes.js'

export interface SpawnedVitest {
  pid: number
  stdout(): string
  stderr(): string
  /** the exit code, once the process and its output are done */
  closed: Promise<number | null>
  /** SIGTERM to the process (its group, when started in its own) */
  stop(): Promise<void>
}

/**
 * `vitest ...args` in `dir`, started with `node` (a target's Node), on a clean environment plus `env`; the
 * output is collected. `ownGroup` puts it in a process group of its own, so that stopping it stops its workers.
 */
export function spawnVitest(
  dir: string,
  args: string[],
  options: { node: string; vitestBin: string; env?: Record<string, string>; ownGroup?: boolean; timeoutMs?: number },
): SpawnedVitest {
  const child = spawn(options.node, [options.vitestBin, ...args], {
    cwd: dir,
    env: childEnv({ NO_COLOR: '1', FORCE_COLOR: '0', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownGroup === true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  // A hung run fails the test with what Vitest printed instead of hanging the suite.
  const timer = options.timeoutMs
    ? setTimeout(() => {
        stderr += `\n[spawnVitest: killed after ${options.timeoutMs! / 1000} s]`
        child.kill('SIGKILL')
      }, options.timeoutMs)
    : undefined
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      resolve(code)
    })
  })
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    closed,
    stop: async () => {
      try {
        if (options.ownGroup) process.kill(-child.pid!, 'SIGTERM')
        else child.kill('SIGTERM')
      } catch {
        // already gone
      }
      await closed
    },
  }
}
