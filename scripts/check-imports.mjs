#!/usr/bin/env node
// The tree's import rules, checked by `pnpm lint` (CONTRIBUTING.md has the map they keep true):
// - a file never imports a file of a folder above its own (src/report/a.ts may not import src/index.ts);
//   what two folders share goes in a sibling folder such as shared/;
// - in packages/vitest/src, report/ imports neither plugin/ nor pool/ (it is handed what it needs), and
//   worker/ (worker side) imports only shared/ among the main process's folders.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Folders (relative to the repository) whose files may not import the listed sibling folders. */
export const FORBIDDEN = {
  'packages/vitest/src/report': ['packages/vitest/src/plugin', 'packages/vitest/src/pool'],
  'packages/vitest/src/worker': [
    'packages/vitest/src/plugin',
    'packages/vitest/src/pool',
    'packages/vitest/src/report',
    'packages/vitest/src/repeatRun',
    'packages/vitest/src/cache',
  ],
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g

/** Relative specifiers a source file imports (static, dynamic, side-effect and re-exports). */
export function relativeImports(source) {
  return [...source.matchAll(SPECIFIER)].map((match) => match[2])
}

const inside = (dir, parent) => dir === parent || dir.startsWith(`${parent}/`)

/**
 * The rules broken by one file, as sentences; `file` and the result use '/' and are relative to the repository.
 */
export function importViolations(file, source) {
  const dir = path.posix.dirname(file)
  const found = []
  for (const specifier of relativeImports(source)) {
    const target = path.posix.normalize(path.posix.join(dir, specifier))
    const targetDir = path.posix.dirname(target)
    if (targetDir !== dir && inside(dir, targetDir))
      found.push(
        `${file} imports ${specifier}, a file of a folder above its own: move what both need to a sibling folder such as shared/`,
      )
    for (const [from, banned] of Object.entries(FORBIDDEN)) {
      if (!inside(dir, from)) continue
      const folder = banned.find((each) => inside(target, each))
      if (folder)
        found.push(
          `${file} imports ${specifier}: ${from.split('/').pop()}/ may not import ${folder.split('/').pop()}/ (hand it in as an argument, or move the type to shared/)`,
        )
    }
  }
  return found
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(full)
    else if (/\.(m|c)?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full
  }
}

function main() {
  const repo = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
  const packages = readdirSync(path.join(repo, 'packages'), { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  )
  const found = []
  for (const pkg of packages) {
    const src = path.join(repo, 'packages', pkg.name, 'src')
    let files
    try {
      files = [...sourceFiles(src)]
    } catch {
      continue
    }
    for (const file of files)
      found.push(...importViolations(path.relative(repo, file).split(path.sep).join('/'), readFileSync(file, 'utf8')))
  }
  for (const line of found) console.error(line)
  if (found.length) {
    console.error(`check-imports: ${found.length} import(s) break the tree's rules (see CONTRIBUTING.md)`)
    process.exit(1)
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
