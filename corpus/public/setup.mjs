#!/usr/bin/env node
// Checks out a public suite listed in suites.json and makes it runnable on Vitest 4.1.12 (or 5.1.2):
//
//   node corpus/public/setup.mjs <name> [--vitest 5] [--git-dir DIR] [--dest DIR] [--force] [--no-install]
//
// --vitest 5: the same steps with the plugin's own Vitest 5 pins (packages/test-utils) in place of its Vitest 4 ones,
// into /work/public-suites/<name>-vitest5, installed with Node 22 first on PATH (from the npm registry, as the
// plugin's tests get it; needs `pnpm build` for packages/test-utils).
// --git-dir: the bare git directory the `fetch` tool gave for github:<repo> (default
// /work/.mirror/<owner>+<name>/repo). The pinned commit is extracted with `git archive` into
// --dest (default /work/public-suites/<name>), then, in the suite's dir: devDependencies replaced,
// package.json fields dropped, files moved aside (<file>.orig), pnpm-workspace.yaml written, regex
// edits applied (each file's original kept as <file>.orig), and the install command run.
// Only Node built-ins and git.

import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'git-dir': { type: 'string' },
    dest: { type: 'string' },
    force: { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
    vitest: { type: 'string', default: '4' },
  },
})
if (!['4', '5'].includes(opts.vitest)) {
  console.error(`setup.mjs: --vitest is ${opts.vitest}; allowed: 4 or 5`)
  process.exit(2)
}
// suites.json names the plugin's Vitest 4 pins (packages/test-utils); --vitest 5 puts its Vitest 5 ones in their place.
const testUtils = opts.vitest === '5' ? await import('../../packages/test-utils/dist/index.js') : undefined
const repin = (text) => {
  if (!testUtils) return text
  const { 4: from, 5: to } = testUtils.VITEST_PINS
  return text.replaceAll(from.vitest, to.vitest).replaceAll(from.vite, to.vite)
}
const suites = JSON.parse(readFileSync(join(here, 'suites.json'), 'utf8')).suites
const listed = suites.find((s) => s.name === positionals[0])
// Only vitest and vite carry these versions in suites.json; anything else pinned to them would be repinned too.
const suite = listed && JSON.parse(repin(JSON.stringify(listed)))
if (!suite) {
  console.error(`setup.mjs: give one of: ${suites.map((s) => s.name).join(', ')}`)
  process.exit(2)
}
const gitDir = resolve(opts['git-dir'] ?? `/work/.mirror/${suite.repo.replace('/', '+')}/repo`)
const dest = resolve(
  opts.dest ?? join('/work/public-suites', opts.vitest === '5' ? `${suite.name}-vitest5` : suite.name),
)
const dir = resolve(dest, suite.dir ?? '.')

async function installEnv() {
  if (!testUtils) return process.env
  return { ...process.env, PATH: `${dirname(await testUtils.node22())}:${process.env.PATH}` }
}

function run(cmd, args, cwd, env = process.env) {
  console.log(`$ ${[cmd, ...args].join(' ')}   (in ${cwd})`)
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env })
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}`)
}

if (existsSync(dest)) {
  if (!opts.force) {
    console.error(`setup.mjs: ${dest} exists (--force replaces it)`)
    process.exit(2)
  }
  rmSync(dest, { recursive: true, force: true })
}
mkdirSync(dest, { recursive: true })
// `paths`: only these parts of the repository (a monorepo whose snapshot lacks some large files elsewhere).
const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', suite.commit, ...(suite.paths ?? [])], {
  maxBuffer: 1 << 30,
})
if (archive.status !== 0) throw new Error(`git archive ${suite.commit} failed: ${archive.stderr}`)
const untar = spawnSync('tar', ['-x', '-C', dest], { input: archive.stdout })
if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`)
writeFileSync(join(dest, '.upstream-commit'), `${suite.commit}\n`)

const keepOriginal = (file) => {
  if (!existsSync(`${file}.orig`)) copyFileSync(file, `${file}.orig`)
}

const pkgFile = join(dir, 'package.json')
keepOriginal(pkgFile)
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
if (suite.devDependencies) pkg.devDependencies = suite.devDependencies
for (const field of suite.dropPackageFields ?? []) delete pkg[field]
writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`)

for (const f of suite.moveAside ?? []) if (existsSync(join(dir, f))) renameSync(join(dir, f), join(dir, `${f}.orig`))

if (suite.pnpmWorkspace) {
  const ws = join(dir, 'pnpm-workspace.yaml')
  if (existsSync(ws)) keepOriginal(ws)
  writeFileSync(ws, suite.pnpmWorkspace)
}

for (const edit of suite.edits ?? []) {
  if (edit.vitest && edit.vitest !== opts.vitest) continue // an edit one Vitest major needs
  const file = join(dir, edit.file)
  keepOriginal(file)
  const text = readFileSync(file, 'utf8')
  const re = new RegExp(edit.pattern, edit.flags ?? 'g')
  if (!re.test(text)) throw new Error(`edit of ${edit.file}: /${edit.pattern}/ matches nothing`)
  writeFileSync(file, text.replace(new RegExp(edit.pattern, edit.flags ?? 'g'), edit.replacement))
  console.log(`edited ${edit.file}: ${edit.why}`)
}

if (!opts['no-install'] && suite.install) run(suite.install[0], suite.install.slice(1), dir, await installEnv())
const runFlag = opts.vitest === '5' ? ' --vitest 5' : ''
console.log(
  `setup.mjs: ${suite.name} ready in ${dir}; run: node ${join(here, 'run.mjs')} ${suite.name}${runFlag} --mode plain`,
)
