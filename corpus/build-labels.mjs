// Regenerates labels.json: lists every test of cases/ with `vitest list` (through the plugin-free
// calibrate config) and labels it from the per-case table below. Run after changing a case:
//   node build-labels.mjs
// Sizes are analytic for a 64-bit V8 heap without pointer compression (Node's default build):
//   A(n)  = `new Array(n).fill(int)`      = 32 (JSArray) + 16 (FixedArray header) + 8·n bytes
//   S(n)  = flat one-byte string          = 16 (header) + n rounded up to 8 bytes
//   push  = one slot in a growing array   ≈ 12 bytes amortised (8 bytes × 1.5 growth)
// The per-call overheads (closures, promises, mock records) were checked against calibrate/
// (steady-state post-GC growth, Vitest's own ≈ 392 B per repeat subtracted); see README.md.
import { execFileSync } from 'node:child_process'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileSync } from 'node:fs'

const corpusDir = fileURLToPath(new URL('.', import.meta.url))
const A = (n) => 48 + 8 * n
const S = (n) => 16 + Math.ceil(n / 8) * 8

/** @type {Record<string, { leak: boolean, pattern: string, tests: Array<{ match: RegExp, bytes?: number, note?: string }> }>} */
const cases = {
  'cases/leaks/module-array.test.ts': {
    leak: true,
    pattern: 'module-level array that only grows (audit trail)',
    tests: [
      {
        match: /5000-value snapshot/,
        bytes: A(5000) + 48 + 12,
        note: 'A(5000) snapshot copy + entry object (3 fields, 48) + push',
      },
      { match: /1000-value snapshot/, bytes: A(1000) + 48 + 12, note: 'A(1000) + entry 48 + push' },
      {
        match: /2000-value snapshot for order/,
        bytes: A(2000) + 48 + 12 + 24,
        note: 'A(2000) + entry 48 + push + action string "order-N" S(7)',
      },
      { match: /formats an audit line/ },
    ],
  },
  'cases/leaks/emitter-listeners.test.ts': {
    leak: true,
    pattern: 'listener added to a process-wide EventEmitter and never removed',
    tests: [
      {
        match: /6000-price history/,
        bytes: A(6000) + 112,
        note: 'A(6000) history + listener closure 64 + its context ~36 + listener-array push',
      },
      { match: /2000-price history/, bytes: A(2000) + 112, note: 'A(2000) + closure/context/push as above' },
      { match: /private feed/ },
    ],
  },
  'cases/leaks/interval-uncleared.test.ts': {
    leak: true,
    pattern: 'setInterval never cleared, its callback capturing a window of samples',
    tests: [
      {
        match: /1500-sample latency window/,
        bytes: A(1500) + 256,
        note: 'A(1500) + Timeout object ~120 + callback closure 64 + context ~56 + timer-list links',
      },
      { match: /2000-sample window/, bytes: A(2000) + 256, note: 'A(2000) + timer/closure overhead 256' },
      { match: /labels a heartbeat/ },
    ],
  },
  'cases/leaks/memo-map.test.ts': {
    leak: true,
    pattern: 'memo Map keyed by a value that never repeats, no eviction',
    tests: [
      {
        match: /quotes a domestic parcel/,
        bytes: A(560) + 212,
        note: 'A(560) rates + quote object 40 + key string "domestic/1200/N" with its cons parts ~100 + Map entry incl. doubling ~70',
      },
      {
        match: /batch of 4 parcels/,
        bytes: 4 * (A(560) + 96),
        note: '4 quotes × (A(560) + quote 40 + shorter key ~30 + Map entry ~26 amortised)',
      },
      { match: /maps a country/ },
    ],
  },
  'cases/leaks/global-registry.test.ts': {
    leak: true,
    pattern: 'registry on globalThis that nothing unregisters',
    tests: [
      {
        match: /30000-char manifest/,
        bytes: S(30_000) + 40 + 12,
        note: 'S(30000) manifest + definition object 40 + push',
      },
      { match: /12000-char manifest/, bytes: S(12_000) + 40 + 12, note: 'S(12000) + definition 40 + push' },
      { match: /builds a plugin id/ },
    ],
  },
  'cases/leaks/pending-promises.test.ts': {
    leak: true,
    pattern: 'never-settling promises held in a module-level Set (removal is in finally)',
    tests: [
      {
        match: /3000-value batch/,
        bytes: A(3000) + 640,
        note: 'A(3000) params + request 48 + 3 promises 120 + 2 reactions 96 + then/finally closures and contexts ~300 + Set entry',
      },
      { match: /2000-value batch to shard/, bytes: A(2000) + 640, note: 'A(2000) + promise machinery 640' },
      { match: /encodes a method name/ },
    ],
  },
  'cases/leaks/log-buffer-string.test.ts': {
    leak: true,
    pattern: 'log buffer string appended with += and never flushed',
    tests: [
      {
        match: /logs 8 order requests/,
        bytes: 8 * 1384,
        note: '8 lines × 1384: a 1061-char JSON line is built by V8 as 6 parts (32+64+128+256+512+69 chars, 16-B headers, padded = 1160) joined by 5 cons strings (160), plus 2 cons strings for + "\\n" and += (64)',
      },
      { match: /burst of 16 requests/, bytes: 16 * 1384, note: '16 lines × 1384' },
      { match: /classifies a status code/ },
    ],
  },
  'cases/leaks/retained-buffers.test.ts': {
    leak: true,
    pattern: 'Buffers kept in a module-level list (external memory, outside heapUsed)',
    tests: [
      {
        match: /128x128/,
        bytes: 128 * 128 * 4 + 240,
        note: '65536 B external (RGBA pixels) + Buffer/ArrayBuffer/thumbnail objects and push on the heap 240',
      },
      { match: /at 96x96/, bytes: 96 * 96 * 4 + 240, note: '36864 B external + 240 on the heap' },
      { match: /aspect ratio/ },
    ],
  },
  'cases/leaks/static-instances.test.ts': {
    leak: true,
    pattern: 'class with a static instances list; close() does not remove',
    tests: [
      {
        match: /opens and closes a connection/,
        bytes: A(2000) + 64 + 12,
        note: 'A(2000) statement cache + instance (3 fields + slack) 64 + push',
      },
      { match: /queries the tenant/, bytes: A(2000) + 64 + 12 + 32, note: 'as above + url cons string 32' },
      { match: /parses a database url/ },
    ],
  },
  'cases/leaks/mock-history.test.ts': {
    leak: true,
    pattern: 'module-level vi.fn() whose call history is never cleared',
    tests: [
      {
        match: /2500 lines/,
        bytes: A(2500) + 184,
        note: 'A(2500) lines kept in mock.calls + properties object 40 + args array 64 + results/settledResults records + 6 state-array pushes ≈ 184',
      },
      { match: /with 2000 lines/, bytes: A(2000) + 184, note: 'A(2000) + mock records 184' },
      { match: /sums cart prices/ },
    ],
  },
  'cases/leaks/callback-closures.test.ts': {
    leak: true,
    pattern: 'closures pushed to a module-level shutdown-callbacks list',
    tests: [
      {
        match: /12000-value scratch/,
        bytes: A(12_000) + 96,
        note: 'A(12000) captured scratch + closure 64 + context 32 (push amortised within)',
      },
      { match: /2500-value scratch/, bytes: A(2500) + 96, note: 'A(2500) + closure/context 96' },
      { match: /slugifies/ },
    ],
  },
  'cases/leaks/lru-no-evict.test.ts': {
    leak: true,
    pattern: 'LRU-looking cache whose eviction never finds a victim (entries stay pinned)',
    tests: [
      {
        match: /200000-char profile/,
        bytes: S(200_000) + 112,
        note: 'S(200000) profile + session 40 + entry 40 + token string + Map entry ≈ 112',
      },
      { match: /50000-char profile/, bytes: S(50_000) + 112, note: 'S(50000) + 112' },
      { match: /token prefix/ },
    ],
  },
  'cases/leaks/accumulate-assert.test.ts': {
    leak: true,
    pattern: 'sessions kept in a module-level list; each test asserts its user has one, true only on its own run',
    tests: [
      {
        match: /admin session/,
        bytes: A(2500) + 40 + 12,
        note: 'A(2500) state + session object (2 fields) 40 + push 12; the test fails from its second run on, and still leaks',
      },
      { match: /opens one session of 2000/, bytes: A(2000) + 40 + 12, note: 'A(2000) + session 40 + push 12' },
      { match: /stranger/ },
    ],
  },
}

// Memory held by test tooling on a test's behalf: not the code's leak (labelled leak: false), but the
// report must say which tool holds it (`tooling` in report.json, hunt mode).
const toolingCases = {
  'cases/tooling/spy-restore.test.ts': {
    holder: 'vitest-mocks',
    // Vitest 5 holds mocks weakly and lets restored spies go: nothing of it is left to name.
    majors: ['4'],
    pattern:
      'vi.spyOn per test + vi.restoreAllMocks(): Vitest keeps every spy (and its call history) in its mock registry',
    tests: [{ match: /2500 segments/ }, { match: /with 2000 segments/ }, { match: /without a spy/, none: true }],
  },
  'cases/tooling/mocks-in-test.test.ts': {
    holder: 'vitest-mocks',
    majors: ['4'],
    pattern: 'a fresh vi.fn() per test handed to code that keeps nothing; Vitest keeps the mock and its calls',
    tests: [{ match: /2500-value reading/ }, { match: /with 2000 values/ }, { match: /without a mock/, none: true }],
  },
  'cases/tooling/spy-mock-restore.test.ts': {
    holder: 'vitest-mocks',
    majors: ['4'],
    pattern:
      'vi.spyOn(console, "warn") per test, restored with mockRestore(): Vitest 4.1 keeps the spy and its calls in its mock registry',
    tests: [
      { match: /in a config of 2500/ },
      { match: /with 2000 values/ },
      { match: /without a warning/, none: true },
    ],
  },
  'cases/tooling/sinon-restore.test.ts': {
    holder: 'sinon-sandbox',
    pattern: "sinon.stub per test restored with stub.restore(): the stub stays in sinon's default sandbox",
    tests: [{ match: /2500-value mail/ }, { match: /2000 values to/ }, { match: /unstubbed/, none: true }],
  },
}

const cleanPatterns = {
  'cases/clean/bounded-cache.test.ts': 'LRU with capacity 48 that fills within three batches, then only replaces',
  'cases/clean/lazy-singleton.test.ts': '2 MB rate table built on first use, then reused',
  'cases/clean/jit-warmup.test.ts':
    'templates compiled with new Function on every call (compilation cache, one-time JIT growth)',
  'cases/clean/weakmap-cache.test.ts': 'WeakMap cache keyed by per-test objects',
  'cases/clean/fixtures-each.test.ts': '5000-row fixture created in beforeEach, closed and dropped in afterEach',
  'cases/clean/fixtures-all.test.ts': '8 MB fixture loaded in beforeAll, released in afterAll',
  'cases/clean/large-transient.test.ts': '50 MB intermediate array built and dropped inside the call',
  'cases/clean/transient-buffers.test.ts': '16 MB / 2 MB Buffers and pooled small Buffers, all dropped',
  'cases/clean/fake-timers.test.ts':
    'intervals never stopped, but on a fake clock cleared and uninstalled after each test',
  'cases/clean/mocks-cleared.test.ts':
    'module-level vi.fn and a spy created once, history cleared with mockClear after each test',
  'cases/clean/listener-add-remove.test.ts': 'listener on a process-wide emitter, removed after use (or once)',
  'cases/clean/object-pool.test.ts': 'pool that grows to peak concurrency (4) and then reuses instances',
  'cases/clean/console-output.test.ts': 'a line or an object printed once per test (console.log, warn, debug)',
  'cases/clean/console-restored.test.ts':
    'an Error and an object warned once per test through the console.warn the file saved when collected',
  'cases/clean/lru-hundred.test.ts':
    'LRU of 100 entries of 10 KB, one new entry per run: grows for 100 runs, then only replaces',
  'cases/clean/zone-formatters.test.ts':
    'an Intl formatter per time zone made on first use and kept (each test a new zone)',
  'cases/clean/returned-resolves.test.ts':
    'tests that return an unawaited expect(promise).resolves chain; Vitest 4.1 keeps each run’s value until the test ends',
  'cases/clean/schema-tables.test.ts':
    'per-test schema objects that build a 20 KB table on first validation and keep it',
}
for (const [file, pattern] of Object.entries(cleanPatterns)) cases[file] = { leak: false, pattern, tests: [] }
for (const [file, spec] of Object.entries(toolingCases))
  cases[file] = { leak: false, tooling: spec.holder, toolingIn: spec.majors, pattern: spec.pattern, tests: spec.tests }

const listed = JSON.parse(
  execFileSync(`${corpusDir}node_modules/.bin/vitest`, ['list', '--json', '-c', 'calibrate/vitest.config.ts'], {
    cwd: corpusDir,
    encoding: 'utf8',
  }),
)

const tests = []
const counts = new Map()
for (const { name, file: absolute } of listed) {
  const file = relative(corpusDir, absolute).replaceAll('\\', '/')
  const spec = cases[file]
  if (!spec) throw new Error(`${file} has no entry in build-labels.mjs; add one with its pattern and sizes`)
  counts.set(file, (counts.get(file) ?? 0) + 1)
  if (spec.tooling) {
    const rules = spec.tests.filter((rule) => rule.match.test(name))
    if (rules.length !== 1) throw new Error(`${file} › ${name} matches ${rules.length} label rules, expected exactly 1`)
    tests.push(
      rules[0].none
        ? { file, test: name, leak: false }
        : {
            file,
            test: name,
            leak: false,
            tooling: spec.tooling,
            ...(spec.toolingIn ? { toolingIn: spec.toolingIn } : {}),
          },
    )
    continue
  }
  if (!spec.leak) {
    tests.push({ file, test: name, leak: false })
    continue
  }
  const rules = spec.tests.filter((rule) => rule.match.test(name))
  if (rules.length !== 1) throw new Error(`${file} › ${name} matches ${rules.length} label rules, expected exactly 1`)
  const [rule] = rules
  tests.push(
    rule.bytes === undefined
      ? { file, test: name, leak: false }
      : { file, test: name, leak: true, bytesPerIteration: rule.bytes, note: rule.note },
  )
}

const files = Object.entries(cases)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([file, spec]) => {
    if (!counts.has(file)) throw new Error(`${file} is labelled but vitest lists no test in it`)
    return {
      file,
      leak: spec.leak,
      ...(spec.tooling ? { tooling: spec.tooling } : {}),
      pattern: spec.pattern,
      tests: counts.get(file),
    }
  })
tests.sort((a, b) => a.file.localeCompare(b.file))

const labels = {
  schemaVersion: 1,
  note:
    'bytesPerIteration = memory (heap + external) a leaking test retains per run, excluding Vitest’s own bookkeeping. ' +
    'Analytic on a 64-bit heap without pointer compression: A(n) = new Array(n).fill(int) = 48 + 8n B, S(n) = one-byte string = 16 + n (padded to 8) B; ' +
    'per-test notes give the formula. Cross-checked with calibrate/ (see README.md). `tooling` names the test tool that holds ' +
    "a test's growth (not a leak of the code under test; the report must name that tool), under the Vitest majors in `toolingIn` " +
    '(all when absent). Generated by build-labels.mjs.',
  files,
  tests,
}
writeFileSync(`${corpusDir}labels.json`, `${JSON.stringify(labels, null, 2)}\n`)
console.log(
  `labels.json: ${files.length} files (${files.filter((f) => f.leak).length} leaking), ${tests.length} tests (${tests.filter((t) => t.leak).length} leaking)`,
)
