#!/usr/bin/env node
// What `pnpm test` needs beyond Node and npm: Debian's `chromium` (the HTML report is checked in a real
// browser), `redis-server` (RateLimiter's cluster mode is tested against a real Redis) and `postgresql`
// (ResourcePool and QueryGuard are tested against a real PostgreSQL the tests start). On a Debian
// machine where we may run apt-get, missing ones are installed; elsewhere this says what to install
// and stops, instead of letting tests fail later with a less clear message.
import { execFileSync, spawnSync } from 'node:child_process'

const needs = [
  {
    binary: 'chromium',
    apt: 'chromium',
    skip: Boolean(process.env.CHROMIUM_PATH),
    why: 'e2e opens report.html in headless Chromium (or set CHROMIUM_PATH)',
  },
  {
    binary: 'redis-server',
    apt: 'redis-server',
    skip: Boolean(process.env.QTESTS_REDIS_URL),
    why: "RateLimiter's cluster tests need a Redis server (or set QTESTS_REDIS_URL)",
  },
  {
    binary: 'initdb',
    apt: 'postgresql',
    skip: Boolean(process.env.QTESTS_PG_URL),
    why: 'the pool and query guard tests start a private PostgreSQL with initdb (or set QTESTS_PG_URL)',
  },
]

// Debian keeps initdb in /usr/lib/postgresql/<version>/bin, off PATH.
const has = (binary) =>
  spawnSync('sh', ['-c', `command -v ${binary} || ls /usr/lib/postgresql/*/bin/${binary}`], { stdio: 'ignore' })
    .status === 0
const missing = needs.filter((need) => !need.skip && !has(need.binary))
if (missing.length === 0) process.exit(0)

const canApt = has('apt-get') && process.getuid?.() === 0
if (!canApt) {
  for (const need of missing)
    console.error(`pnpm test needs \`${need.binary}\`: ${need.why}. Install the Debian package \`${need.apt}\`.`)
  process.exit(1)
}
const packages = missing.map((need) => need.apt)
console.log(`installing ${packages.join(', ')} (apt-get), needed by the tests`)
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
})
