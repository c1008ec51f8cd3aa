// Loaded by the wrapper configs that run.mjs writes next to a public suite's own Vitest config: it
// evaluates their config as Vitest would and adds the qtests plugin to it — to the root config and to
// every project that would not get it otherwise — without editing any of their files.
//
// Vite bundles this module into the wrapper config; only Node built-ins are imported statically. The
// plugin itself is imported at run time from a URL (a copy of packages/vitest/dist placed inside the
// suite's node_modules by run.mjs, so that its `import 'vitest'` reaches the suite's own Vitest).

import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'

const configNames = ['vitest.config', 'vite.config'].flatMap((name) =>
  ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => name + ext),
)

/** Evaluates a config export the way Vite does: an object, a promise of one, or a function of the env. */
async function evaluate(configExport, env) {
  const value = typeof configExport === 'function' ? configExport(env) : configExport
  return (await value) ?? {}
}

async function loadPlugin(harness) {
  const { qtests } = await import(/* @vite-ignore */ harness.pluginUrl)
  return qtests(harness.options)
}

function remember(harness, file) {
  if (harness.manifest) appendFileSync(harness.manifest, `${file}\n`)
}

const globChars = /[*?[\]{}()!]/

function segmentRegExp(segment) {
  let source = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]
    if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else if (c === '{') {
      const end = segment.indexOf('}', i)
      const alternatives = segment.slice(i + 1, end).split(',')
      source += `(?:${alternatives.map((a) => a.replace(/[.+^$|\\()[\]]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`
      i = end
    } else source += c.replace(/[.+^$|\\()[\]]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** A small glob (`*`, `**`, `?`, `{a,b}`) over files and directories; directories end in '/', like tinyglobby's. */
function expandGlob(pattern, cwd) {
  const absolute = isAbsolute(pattern) ? pattern : join(cwd, pattern)
  const segments = absolute.split('/').filter((s, i) => s !== '' || i === 0)
  let base = ''
  let i = 0
  while (i < segments.length && !globChars.test(segments[i])) {
    base += (i === 0 ? '' : '/') + segments[i]
    i++
  }
  base ||= '/'
  const rest = segments.slice(i)
  const matches = new Set()
  const walk = (dir, parts) => {
    if (parts.length === 0) {
      const isDir = statSync(dir).isDirectory()
      matches.add(isDir ? `${dir.replace(/\/$/, '')}/` : dir)
      return
    }
    const [head, ...tail] = parts
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    if (head === '**') {
      walk(dir, tail)
      for (const e of entries) if (e.isDirectory() && e.name !== 'node_modules') walk(join(dir, e.name), parts)
      return
    }
    const re = segmentRegExp(head)
    for (const e of entries) {
      if (e.name === 'node_modules' || !re.test(e.name)) continue
      if (tail.length && !e.isDirectory()) continue
      walk(join(dir, e.name), tail)
    }
  }
  if (existsSync(base)) walk(base, rest)
  return [...matches].sort()
}

function projectWrapperSource(harness, userConfigFile) {
  return [
    '// Written by corpus/public/run.mjs (qtests harness) for one run; deleted after it. Not part of the suite.',
    `import * as user from ${JSON.stringify(`./${basename(userConfigFile)}`)}`,
    `import { withQtestsProject } from ${JSON.stringify(harness.helper)}`,
    `const harness = ${JSON.stringify(harness)}`,
    'export default (env) => withQtestsProject(user.default, env, harness)',
    '',
  ].join('\n')
}

/** A wrapper beside a project's own config file, so that the project loads with the plugin. */
function wrapProjectFile(harness, file) {
  if (resolve(file) === resolve(harness.userConfig)) return harness.wrapper
  const slug = basename(file).replace(/[^\w-]/g, '-')
  const wrapper = join(dirname(file), `vitest.qtests-${slug}-${harness.tag}.config.mjs`)
  const text = projectWrapperSource(harness, file)
  // unchanged content is not rewritten: the plugin's reuse of clean files fingerprints the config file's mtime
  if (!existsSync(wrapper) || readFileSync(wrapper, 'utf8') !== text) writeFileSync(wrapper, text)
  remember(harness, wrapper)
  return wrapper
}

function directoryConfig(dir) {
  const files = new Set(readdirSync(dir))
  const name = configNames.find((n) => files.has(n))
  return name ? join(dir, name) : null
}

/** The paths the string entries of `test.projects` match (directories end in '/'), as Vitest resolves them. */
function projectPaths(entries, root) {
  const paths = new Set()
  const negated = new Set()
  for (const entry of entries) {
    const text = entry.replace('<rootDir>', root)
    if (text.startsWith('!')) for (const p of expandGlob(text.slice(1), root)) negated.add(p)
    else if (!globChars.test(text)) {
      const file = resolve(root, text)
      paths.add(existsSync(file) && statSync(file).isDirectory() ? `${file.replace(/\/$/, '')}/` : file)
    } else for (const p of expandGlob(text, root)) paths.add(p)
  }
  return [...paths].filter((p) => !negated.has(p))
}

/** Whether an inline project inherits the root config (the wrapper, which has the plugin): Vitest 5's default. */
function inheritsRoot(config, harness) {
  return config.extends === true || (config.extends === undefined && harness.vitestMajor >= 5)
}

async function mapInlineProject(project, harness, env) {
  const config = await evaluate(project, env)
  if (inheritsRoot(config, harness)) return config
  return { ...config, plugins: [...(config.plugins ?? []), await loadPlugin(harness)] }
}

/** Config files get a wrapper beside them, directories without one an inline project with the plugin. */
async function mapProjects(projects, harness, env, root) {
  const out = []
  for (const path of projectPaths(
    projects.filter((p) => typeof p === 'string'),
    root,
  )) {
    if (path.endsWith('/')) {
      const config = directoryConfig(path)
      if (config) out.push(wrapProjectFile(harness, config))
      else out.push(inheritsRoot({}, harness) ? { root: path } : { root: path, plugins: [await loadPlugin(harness)] })
    } else out.push(wrapProjectFile(harness, path))
  }
  for (const entry of projects) {
    if (typeof entry === 'string') continue
    if (typeof entry === 'function')
      out.push(async (projectEnv) => mapInlineProject(await entry(projectEnv), harness, projectEnv))
    else out.push(await mapInlineProject(entry, harness, env))
  }
  return out
}

/** The root wrapper's default export: their config with qtests added (and added to their projects). */
export async function withQtests(configExport, env, harness) {
  const config = await evaluate(configExport, env)
  const plugins = [...(config.plugins ?? []), await loadPlugin(harness)]
  const test = config.test ?? {}
  if (!Array.isArray(test.projects)) return { ...config, plugins }
  const root = config.root ? resolve(harness.root, config.root) : harness.root
  return { ...config, plugins, test: { ...test, projects: await mapProjects(test.projects, harness, env, root) } }
}

/** A project config file's wrapper: the project with the plugin. */
export async function withQtestsProject(configExport, env, harness) {
  const config = await evaluate(configExport, env)
  return { ...config, plugins: [...(config.plugins ?? []), await loadPlugin(harness)] }
}
