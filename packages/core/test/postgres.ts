import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { freePort } from '@qtests/test-utils'

/** A PostgreSQL server for tests: QTESTS_PG_URL's, or a private one in a temp dir. */
export interface TestPostgres {
  url: string
  /**
   * Only for a private server (tests that restart it always start their own): a fast shutdown, then
   * `whileDown()` once the server has exited, then a start on the same port.
   */
  restart(whileDown?: () => void): Promise<void>
  /** Stops a private server and removes its directory; a no-op for QTESTS_PG_URL. */
  stop(): Promise<void>
}

const INSTALL_HINT =
  'These tests need PostgreSQL: set QTESTS_PG_URL=postgres://user@127.0.0.1:5432/db, or install the server ' +
  '(Debian/Ubuntu: apt-get install -y postgresql) so the tests can start a private one with initdb.'

/** QTESTS_PG_URL when set, else a private server. Never skips. */
export async function testPostgres(): Promise<TestPostgres> {
  const url = process.env.QTESTS_PG_URL
  if (url) return { url, restart: async () => {}, stop: async () => {} }
  return privatePostgres()
}

/**
 * initdb + postgres in a new temp directory, on a free loopback port (the Unix socket goes in the same
 * directory), trust authentication, fsync off. PostgreSQL refuses to run as root, so as root both run as
 * the `postgres` user the Debian package creates (or `nobody`) through runuser.
 */
export async function privatePostgres(): Promise<TestPostgres> {
  const bin = binDirectory()
  const runAs = process.getuid?.() === 0 ? serviceUser() : undefined
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'))
  const dataDir = join(dir, 'data')
  if (runAs) chownSync(dir, runAs.uid, runAs.gid)
  const command = (binary: string, args: string[]) =>
    runAs
      ? { file: 'runuser', args: ['-u', runAs.name, '--', join(bin, binary), ...args] }
      : { file: join(bin, binary), args }
  const init = command('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ])
  try {
    execFileSync(init.file, init.args, { stdio: 'pipe' })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}. ${INSTALL_HINT}`)
  }
  const port = await freePort()
  let server: ChildProcess | undefined
  const start = async () => {
    const run = command('postgres', [
      '-D',
      dataDir,
      '-k',
      dir,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-c',
      'fsync=off',
      '-c',
      'max_connections=50',
    ])
    server = spawn(run.file, run.args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let log = ''
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
    })
    const exited = once(server, 'exit').then(([code]) => {
      throw new Error(`postgres exited with code ${code} before accepting connections: ${log}`)
    })
    exited.catch(() => {})
    await Promise.race([exited, waitForReady(dir, port, () => log)])
  }
  const stopServer = async () => {
    const pid = postmasterPid(dataDir)
    if (pid === undefined) return
    // SIGINT is PostgreSQL's fast shutdown: backends are terminated, the server exits cleanly.
    process.kill(pid, 'SIGINT')
    for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    if (server && server.exitCode === null && server.signalCode === null) await once(server, 'exit')
    server = undefined
  }
  await start()
  // A test process that dies must not leave PostgreSQL running.
  const onExit = () => {
    const pid = postmasterPid(dataDir)
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL')
  }
  process.once('exit', onExit)
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(whileDown) {
      await stopServer()
      whileDown?.()
      await start()
    },
    async stop() {
      await stopServer()
      process.off('exit', onExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The newest /usr/lib/postgresql/<version>/bin (Debian keeps initdb there, off PATH), else initdb's directory on PATH. */
function binDirectory(): string {
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return join(root, versions[0]!, 'bin')
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim()
    if (initdb) return initdb.slice(0, initdb.lastIndexOf('/'))
  } catch {
    // not on PATH either
  }
  throw new Error(`initdb not found in /usr/lib/postgresql/*/bin or on PATH. ${INSTALL_HINT}`)
}

/** The account a root test process starts PostgreSQL as: the package's `postgres` user, else `nobody`. */
function serviceUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
      return { name, uid, gid }
    } catch {
      // no such user
    }
  }
  throw new Error(
    'Running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as (it refuses root).',
  )
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The server is ready once its Unix socket exists and the log says so (no client library needed). */
async function waitForReady(dir: string, port: number, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (existsSync(join(dir, `.s.PGSQL.${port}`)) && log().includes('ready to accept connections')) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`postgres on port ${port} was not ready within 15 s: ${log()}`)
}
