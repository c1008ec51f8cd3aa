// LoadTester against autocannon 9 on the same node:http server (its own process), in the same run, in
// alternating rounds; then the memory-aware modes under an injected heap squeeze.
// Run: pnpm --filter @qtests/core bench:load [--rounds 5] [--seconds 5] (builds first).
import { fork, spawn } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { LoadTester } from '../dist/index.js'
import { markdown } from './markdownTable.mjs'

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' } },
})
const ROUNDS = Number(values.rounds)
const DURATION_MS = Number(values.seconds) * 1000
const CONNECTIONS = 100
/**
 * The fixed-rate comparison: 200 requests/s over 20 connections to an endpoint answering after 50 ms. autocannon
 * keeps latencies in whole ms (an integer HDR histogram), so sub-ms latencies cannot be compared with it; at 50 ms
 * its truncation is under 2%. Neither generator queues: autocannon sends each connection's 10 requests a second one
 * after another; ours spaces 200 a second evenly with ~10 in flight (cap 20).
 */
const FIXED_RATE = 200
const RATE_CONNECTIONS = 20
const DELAY_PATH = 'delay'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
const log = (line) => process.stderr.write(`${line}\n`)

const server = fork(fileURLToPath(new URL('./httpServer.child.mjs', import.meta.url)))
const { port } = await new Promise((resolve) => server.once('message', resolve))
const url = `http://127.0.0.1:${port}/`

async function peer(options, path = '') {
  // ignoreCoordinatedOmission: in rate mode autocannon otherwise records each latency with an expected interval of
  // ceil(1 / connection rate) = 1 ms (seconds taken as ms), adding synthetic values from 1 ms up to every latency.
  const rated = options.overallRate !== undefined ? { ignoreCoordinatedOmission: true } : {}
  const result = await autocannon({ url: url + path, duration: DURATION_MS / 1000, ...rated, ...options })
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
}

async function ours(options, path = '') {
  const result = await new LoadTester({
    target: url + path,
    durationMs: DURATION_MS,
    progress: false,
    ...options,
  }).run()
  return {
    rps: result.rps,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    lagP50: result.sendLagMs?.p50 ?? 0,
    lagP99: result.sendLagMs?.p99 ?? 0,
    sentP50: result.fromSendMs?.p50 ?? result.latencyMs.p50,
    sentP99: result.fromSendMs?.p99 ?? result.latencyMs.p99,
    errors: result.errors,
  }
}

// Warm both (JIT, connections, the server's own warm-up), uncounted.
await peer({ connections: CONNECTIONS, duration: 1 })
await new LoadTester({ target: url, concurrency: CONNECTIONS, durationMs: 1000, progress: false }).run()

const rows = { closedPeer: [], closedOurs: [], ratePeer: [], rateOurs: [] }
const loadBefore = os.loadavg()[0]
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate which goes first, so neither always gets the quieter half of a round.
  const order = round % 2 ? ['peer', 'ours'] : ['ours', 'peer']
  for (const who of order) {
    if (who === 'peer') rows.closedPeer.push(await peer({ connections: CONNECTIONS }))
    else rows.closedOurs.push(await ours({ concurrency: CONNECTIONS }))
    log(
      `round ${round}: ${who} closed, ${CONNECTIONS} connections: ${Math.round((who === 'peer' ? rows.closedPeer : rows.closedOurs).at(-1).rps)} req/s`,
    )
  }
  for (const who of order) {
    if (who === 'peer')
      rows.ratePeer.push(await peer({ connections: RATE_CONNECTIONS, overallRate: FIXED_RATE }, DELAY_PATH))
    else rows.rateOurs.push(await ours({ rate: FIXED_RATE, concurrency: RATE_CONNECTIONS }, DELAY_PATH))
    const last = (who === 'peer' ? rows.ratePeer : rows.rateOurs).at(-1)
    log(`round ${round}: ${who} at ${FIXED_RATE} req/s: p50 ${last.p50} ms, p99 ${last.p99} ms`)
  }
}
const loadAfter = os.loadavg()[0]
server.disconnect()

const ratio = (a, b) => (b === 0 ? Number.NaN : a / b)
const fmt = (n, digits = 2) => Number(n).toFixed(digits)
const pick = (list, key) => median(list.map((row) => row[key]))
// Ours and autocannon ran side by side in each round: the ratio within a round is steadier than a ratio of
// medians when the machine's load drifts between rounds.
const roundRatios = (oursList, peerList, key) => oursList.map((row, i) => ratio(row[key], peerList[i][key]))
const ratioCell = (oursList, peerList, key) => {
  const ratios = roundRatios(oursList, peerList, key)
  return `${fmt(median(ratios))} (${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))})`
}
const medianRatio = (oursList, peerList, key) => median(roundRatios(oursList, peerList, key))
const within = (r, lo, hi) => r >= lo && r <= hi
const verdict = (ok) => (ok ? 'holds' : 'MISSED')
const rpsRatio = medianRatio(rows.closedOurs, rows.closedPeer, 'rps')
// autocannon counts latency from the send; the like-for-like target compares ours from the send too. Ours from when
// each request was due (no coordinated omission) adds the sender's own lateness, shown beside it.
const sent = (list) => list.map((row) => ({ ...row, p50: row.sentP50, p99: row.sentP99 }))
const p50Ratio = medianRatio(sent(rows.rateOurs), rows.ratePeer, 'p50')
const p99Ratio = medianRatio(sent(rows.rateOurs), rows.ratePeer, 'p99')
const table = [
  ['measure', 'LoadTester', 'autocannon 9', 'ratio, median of rounds (range)', 'target', 'result'],
  [
    'closed, 100 conns: req/s',
    fmt(pick(rows.closedOurs, 'rps'), 0),
    fmt(pick(rows.closedPeer, 'rps'), 0),
    ratioCell(rows.closedOurs, rows.closedPeer, 'rps'),
    '≥ 0.80',
    verdict(rpsRatio >= 0.8),
  ],
  [
    'closed, 100 conns: p50 ms',
    fmt(pick(rows.closedOurs, 'p50')),
    fmt(pick(rows.closedPeer, 'p50')),
    ratioCell(rows.closedOurs, rows.closedPeer, 'p50'),
    '—',
    '',
  ],
  [
    'closed, 100 conns: p99 ms',
    fmt(pick(rows.closedOurs, 'p99')),
    fmt(pick(rows.closedPeer, 'p99')),
    ratioCell(rows.closedOurs, rows.closedPeer, 'p99'),
    '—',
    '',
  ],
  [
    `${FIXED_RATE} req/s, 50 ms endpoint: p50 ms from the send`,
    fmt(pick(rows.rateOurs, 'sentP50')),
    fmt(pick(rows.ratePeer, 'p50')),
    ratioCell(sent(rows.rateOurs), rows.ratePeer, 'p50'),
    '0.90–1.10',
    verdict(within(p50Ratio, 0.9, 1.1)),
  ],
  [
    `${FIXED_RATE} req/s, 50 ms endpoint: p99 ms from the send`,
    fmt(pick(rows.rateOurs, 'sentP99')),
    fmt(pick(rows.ratePeer, 'p99')),
    ratioCell(sent(rows.rateOurs), rows.ratePeer, 'p99'),
    '0.90–1.10',
    verdict(within(p99Ratio, 0.9, 1.1)),
  ],
  [
    `${FIXED_RATE} req/s: our p50 / p99 ms from when due`,
    `${fmt(pick(rows.rateOurs, 'p50'))} / ${fmt(pick(rows.rateOurs, 'p99'))}`,
    '(not measured)',
    '',
    '—',
    '',
  ],
  [
    `${FIXED_RATE} req/s: our send lag p50 / p99 ms`,
    `${fmt(pick(rows.rateOurs, 'lagP50'))} / ${fmt(pick(rows.rateOurs, 'lagP99'))}`,
    '(not measured)',
    '',
    '—',
    '',
  ],
  [
    'errors (all runs)',
    String(rows.closedOurs.concat(rows.rateOurs).reduce((n, r) => n + r.errors, 0)),
    String(rows.closedPeer.concat(rows.ratePeer).reduce((n, r) => n + r.errors, 0)),
    '',
    '0',
    '',
  ],
]
console.log(
  `\nLoadTester vs autocannon against one node:http server in its own process: ${ROUNDS} rounds of ${DURATION_MS / 1000} s each, alternating which goes first`,
)
console.log(
  `load average ${fmt(loadBefore)} before, ${fmt(loadAfter)} after; ${os.availableParallelism()} CPUs; Node ${process.version}; ${new Date().toISOString()}\n`,
)
console.log(markdown(table))

// Memory-aware modes under an injected heap squeeze, in a child with a 128 MB old generation.
log(
  '\nsqueeze: 16 s open-model run under --max-old-space-size=128 with a 90 MB ballast injected at 2–5 s and released at 7 s',
)
const squeeze = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=128', fileURLToPath(new URL('./squeeze.child.mjs', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  child.stdout.on('data', (chunk) => {
    out += chunk
  })
  child.on('close', (code) => resolve({ code, out }))
})
if (squeeze.code !== 0) {
  console.log(`\nsqueeze: the child exited with code ${squeeze.code}: MISSED (it must finish with a result)`)
  process.exitCode = 1
} else {
  const result = JSON.parse(squeeze.out)
  console.log(
    `\nMemory-aware modes under a heap squeeze (--max-old-space-size=128; ballast +30 MB at 2, 4 and 5 s, released at 7 s): finished with a result, ${result.requests} requests, stopped by ${result.stoppedBy}, peak heap ${fmt(result.monitor.peakHeapBytes / 2 ** 20, 1)} MB\n`,
  )
  console.log(
    markdown([['at', 'mode', 'reason'], ...result.modes.map((m) => [`${fmt(m.atMs / 1000, 1)} s`, m.mode, m.reason])]),
  )
  const path = result.modes.map((m) => m.mode)
  const down = path.includes('reduced') && path.includes('minimal')
  const back = path.at(-1) === 'normal' && path.length > 2
  console.log(
    `\nsteps down through reduced and minimal: ${down ? 'holds' : 'MISSED'}; back to normal: ${back ? 'holds' : 'MISSED'}; finished: holds`,
  )
}
