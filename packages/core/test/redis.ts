import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { freePort } from '@qtests/test-utils'

export interface TestRedis {
  url: string
  port: number
  /** Kills a private server (SIGKILL: no goodbye, like a crash); a no-op for QTESTS_REDIS_URL. */
  kill(): Promise<void>
  /** Starts a killed private server again on the same port, empty. */
  restart(): Promise<void>
}

const INSTALL_HINT =
  'Cluster-mode tests need Redis: set QTESTS_REDIS_URL=redis://127.0.0.1:6379, or install redis-server ' +
  '(Debian/Ubuntu: apt-get install -y redis-server) so the tests can start a private one.'

/** QTESTS_REDIS_URL when set, else a private redis-server on a free loopback port. Never skips. */
export async function testRedis(): Promise<TestRedis> {
  const url = process.env.QTESTS_REDIS_URL
  if (url) {
    return { url, port: Number(new URL(url).port || 6379), kill: async () => {}, restart: async () => {} }
  }
  return privateRedis()
}

/** A redis-server of our own on a free port (tests that kill and restart Redis always use this). */
export async function privateRedis(): Promise<TestRedis> {
  const port = await freePort()
  let server: ChildProcess | undefined = await startServer(port)
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (server === undefined) return
      const exited = once(server, 'exit')
      server.kill('SIGKILL')
      await exited
      server = undefined
    },
    async restart() {
      server = await startServer(port)
    },
  }
}

async function startServer(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const server = spawn('redis-server', args, { stdio: 'ignore' })
  const failed = new Promise<never>((_, reject) => {
    server.once('error', (error) => reject(new Error(INSTALL_HINT, { cause: error })))
    server.once('exit', (code) =>
      reject(new Error(`redis-server on port ${port} exited with code ${code}. ${INSTALL_HINT}`)),
    )
  })
  failed.catch(() => {})
  await Promise.race([failed, waitForPing(port)])
  server.removeAllListeners('exit')
  // A test process that dies must not leave Redis running.
  process.once('exit', () => server.kill('SIGKILL'))
  return server
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    client.on('error', () => {})
    try {
      await client.connect()
      if ((await client.ping()) === 'PONG') return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      client.disconnect()
    }
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s.`)
}
