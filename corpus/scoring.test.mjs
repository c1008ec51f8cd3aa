import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkFailures, formatSummary, rates, scoreCorpus, scoreHunt, scoreMeasure, stability } from './scoring.mjs'

const LEAKS = 'cases/leaks/array.test.ts'
const CLEAN = 'cases/clean/cache.test.ts'
const TOOLING = 'cases/tooling/spies.test.ts'

const labels = {
  files: [
    { file: LEAKS, leak: true },
    { file: CLEAN, leak: false },
    { file: TOOLING, leak: false, tooling: 'vitest-mocks' },
  ],
  tests: [
    { file: LEAKS, test: 'array > grows 40 KB', leak: true, bytesPerIteration: 40_000 },
    { file: LEAKS, test: 'array > grows 8 KB', leak: true, bytesPerIteration: 8_000 },
    { file: LEAKS, test: 'array > grows 1 KB', leak: true, bytesPerIteration: 1_000 },
    { file: LEAKS, test: 'array > formats', leak: false },
    { file: CLEAN, test: 'cache > fills', leak: false },
    { file: CLEAN, test: 'cache > reads', leak: false },
    { file: TOOLING, test: 'spies > spies', leak: false, tooling: 'vitest-mocks' },
  ],
}

function test(name, verdict, bytesPerIteration = null) {
  return { name, verdict, bytesPerIteration, confidence: 0.99, iterations: 24 }
}

/** A perfect hunt report; `overrides` replaces verdict/bytes by test name. */
function huntReport(overrides = {}) {
  const row = (name, verdict, bytes) => ({ ...test(name, verdict, bytes), ...overrides[name] })
  return {
    schemaVersion: 1,
    mode: 'hunt',
    files: [
      {
        file: LEAKS,
        verdict: 'leak',
        tests: [
          row('array > grows 40 KB', 'leak', 41_000),
          row('array > grows 8 KB', 'leak', 7_600),
          row('array > grows 1 KB', 'leak', 1_900),
          row('array > formats', 'clean', 20),
        ],
      },
      { file: CLEAN, verdict: 'clean', tests: [row('cache > fills', 'clean', 100), row('cache > reads', 'clean', 0)] },
      {
        file: TOOLING,
        verdict: 'clean',
        tests: [
          {
            ...row('spies > spies', 'clean', 0),
            tooling: [{ holder: 'vitest-mocks', objectsPerIteration: 1, bytesPerIteration: 5600 }],
            ...overrides['spies > spies'],
          },
        ],
      },
    ],
  }
}

function measureReport(leaksVerdict, cleanVerdict) {
  return {
    schemaVersion: 1,
    mode: 'measure',
    files: [
      { file: LEAKS, verdict: leaksVerdict, growthBytesPerTest: 16_000, tests: [] },
      { file: CLEAN, verdict: cleanVerdict, growthBytesPerTest: 0, tests: [] },
    ],
  }
}

describe('rates', () => {
  it('computes precision, recall and F1 from counts', () => {
    assert.deepEqual(rates({ tp: 3, fp: 1, fn: 1 }), { precision: 0.75, recall: 0.75, f1: 0.75 })
  })

  it('gives precision 1 when nothing was flagged and recall 0 when leaks exist', () => {
    assert.deepEqual(rates({ tp: 0, fp: 0, fn: 2 }), { precision: 1, recall: 0, f1: 0 })
  })
})

describe('scoreHunt', () => {
  it('scores a perfect report as precision and recall 1 with sizes within tolerance', () => {
    const score = scoreHunt(labels, huntReport())
    assert.equal(score.tp, 3)
    assert.equal(score.tn, 4) // the tooling test is not the code's leak
    assert.equal(score.precision, 1)
    assert.equal(score.recall, 1)
    assert.equal(score.size.checked, 2) // the 1 KB leak is below the 4 KB floor
    assert.equal(score.size.medianError, (0.025 + 0.05) / 2)
    assert.equal(score.size.worst.test, 'array > grows 8 KB')
    assert.deepEqual(score.size.outOfTolerance, [])
  })

  it('names a clean test reported as a leak as a false positive', () => {
    const score = scoreHunt(labels, huntReport({ 'cache > fills': { verdict: 'leak', bytesPerIteration: 5_000 } }))
    assert.equal(score.fp, 1)
    assert.equal(score.precision, 0.75)
    assert.deepEqual(score.falsePositives, [
      { file: CLEAN, test: 'cache > fills', verdict: 'leak', measuredBytes: 5_000 },
    ])
  })

  it('names a leak reported as suspect as a miss and lists it among the suspects', () => {
    const score = scoreHunt(labels, huntReport({ 'array > grows 8 KB': { verdict: 'suspect' } }))
    assert.equal(score.fn, 1)
    assert.equal(score.recall, 2 / 3)
    assert.deepEqual(
      score.misses.map((m) => [m.test, m.verdict, m.labelBytes]),
      [['array > grows 8 KB', 'suspect', 8_000]],
    )
    assert.deepEqual(
      score.suspects.map((s) => [s.test, s.leak]),
      [['array > grows 8 KB', true]],
    )
  })

  it('flags a leak measured outside ±25% of its label', () => {
    const score = scoreHunt(labels, huntReport({ 'array > grows 40 KB': { bytesPerIteration: 60_000 } }))
    assert.equal(score.tp, 3)
    assert.equal(score.size.worst.test, 'array > grows 40 KB')
    assert.equal(score.size.worst.relativeError, 0.5)
    assert.deepEqual(
      score.size.outOfTolerance.map((s) => s.test),
      ['array > grows 40 KB'],
    )
  })

  it('counts a leak without a measured size as out of tolerance', () => {
    const score = scoreHunt(labels, huntReport({ 'array > grows 8 KB': { bytesPerIteration: null } }))
    assert.deepEqual(
      score.size.outOfTolerance.map((s) => [s.test, s.relativeError]),
      [['array > grows 8 KB', null]],
    )
  })

  it('treats a labelled test missing from the report as not detected, and lists unlabelled tests', () => {
    const report = huntReport()
    report.files[0].tests = report.files[0].tests.filter((t) => t.name !== 'array > grows 40 KB')
    report.files[1].tests.push(test('cache > renamed test', 'clean', 0))
    const score = scoreHunt(labels, report)
    assert.equal(score.fn, 1)
    assert.deepEqual(
      score.notReported.map((t) => [t.test, t.verdict]),
      [['array > grows 40 KB', 'absent']],
    )
    assert.deepEqual(score.unlabelled, [{ file: CLEAN, test: 'cache > renamed test', verdict: 'clean' }])
  })

  it('matches report paths written with ./ or backslashes', () => {
    const report = huntReport()
    report.files[0].file = `./${LEAKS}`
    report.files[1].file = 'cases\\clean\\cache.test.ts'
    assert.equal(scoreHunt(labels, report).tp, 3)
    assert.deepEqual(scoreHunt(labels, report).notReported, [])
  })
})

describe('scoreMeasure', () => {
  it('scores files: a leaking file found and a clean file kept clean', () => {
    const score = scoreMeasure(labels, measureReport('leak', 'clean'))
    // the tooling file, absent from this report, is not a leak either
    assert.deepEqual([score.tp, score.fp, score.fn, score.tn, score.precision, score.recall], [1, 0, 0, 2, 1, 1])
  })

  it('names a false-positive file and a missed file', () => {
    const score = scoreMeasure(labels, measureReport('suspect', 'leak'))
    assert.deepEqual(
      score.falsePositives.map((f) => f.file),
      [CLEAN],
    )
    assert.deepEqual(
      score.misses.map((f) => [f.file, f.verdict]),
      [[LEAKS, 'suspect']],
    )
    assert.equal(score.precision, 0)
    assert.equal(score.recall, 0)
  })
})

describe('tooling', () => {
  it('counts a test whose report names the tool that holds its growth', () => {
    const scored = scoreHunt(labels, huntReport())
    assert.deepEqual([scored.tooling.expected, scored.tooling.named, scored.tooling.recall], [1, 1, 1])
    assert.equal(scored.fp, 0)
  })

  it('fails a run whose report does not name the tool, and one that calls tooling a leak', () => {
    const unnamed = scoreHunt(labels, huntReport({ 'spies > spies': { tooling: undefined } }))
    assert.equal(unnamed.tooling.misses.length, 1)
    const leak = scoreHunt(labels, huntReport({ 'spies > spies': { verdict: 'leak' } }))
    assert.equal(leak.fp, 1)
    const failures = checkFailures(
      scoreCorpus(labels, [huntReport({ 'spies > spies': { tooling: undefined } })], measureReport('leak', 'clean')),
    )
    assert.ok(
      failures.some((failure) => /do not name the tool/.test(failure)),
      failures.join('\n'),
    )
  })
})

describe('tooling under another Vitest major', () => {
  it('expects the tool only under the majors the label names', () => {
    const only4 = { ...labels, tests: labels.tests.map((t) => (t.tooling ? { ...t, toolingIn: ['4'] } : t)) }
    const unnamed = huntReport({ 'spies > spies': { tooling: undefined } })
    assert.equal(scoreHunt(only4, unnamed, undefined, '5').tooling.misses.length, 0)
    assert.equal(scoreHunt(only4, unnamed, undefined, '4').tooling.misses.length, 1)
  })
})

describe('stability', () => {
  it('reports identical verdicts across runs', () => {
    assert.deepEqual(stability(labels, [huntReport(), huntReport(), huntReport()]), {
      runs: 3,
      identical: true,
      flipped: [],
    })
  })

  it('names a test whose verdict flips between runs', () => {
    const flip = huntReport({ 'cache > reads': { verdict: 'suspect' } })
    const result = stability(labels, [huntReport(), flip, huntReport()])
    assert.equal(result.identical, false)
    assert.deepEqual(result.flipped, [
      { file: CLEAN, test: 'cache > reads', verdicts: ['clean', 'suspect', 'clean'], leakDecisionChanged: false },
    ])
  })

  it('marks a flip that changes the leak decision', () => {
    const flip = huntReport({ 'array > grows 1 KB': { verdict: 'suspect' } })
    assert.deepEqual(
      stability(labels, [huntReport(), flip]).flipped.map((f) => [f.test, f.leakDecisionChanged]),
      [['array > grows 1 KB', true]],
    )
  })
})

describe('checkFailures', () => {
  it('passes a perfect corpus', () => {
    const summary = scoreCorpus(labels, [huntReport(), huntReport(), huntReport()], measureReport('leak', 'clean'))
    assert.deepEqual(checkFailures(summary), [])
  })

  it('fails on a false positive, a miss, a size error, a flip and a measure false positive', () => {
    const bad = huntReport({
      'cache > fills': { verdict: 'leak' },
      'array > grows 8 KB': { verdict: 'clean', bytesPerIteration: 3_000 },
    })
    const summary = scoreCorpus(labels, [huntReport(), bad, huntReport()], measureReport('leak', 'leak'))
    const failures = checkFailures(summary)
    assert.deepEqual(failures, [
      'hunt run 2: precision 66.7% < 97.0%', // 2 TP, 1 FP
      'hunt run 2: recall 66.7% < 95.0%',
      'hunt run 2: 1 leak(s) ≥ 4096 B not within ±25.0% of the label',
      'hunt verdicts differ across 3 runs for 2 test(s)',
      'measure: precision 50.0% < 100.0%',
    ])
  })

  it('fails when the measure report is missing', () => {
    const summary = scoreCorpus(labels, [huntReport()], null)
    assert.deepEqual(checkFailures(summary), ['no measure-mode report'])
  })
})

describe('formatSummary', () => {
  it('names false positives, misses and flips in the printed table', () => {
    const bad = huntReport({
      'cache > fills': { verdict: 'leak', bytesPerIteration: 5_000 },
      'array > grows 8 KB': { verdict: 'clean' },
    })
    const text = formatSummary(scoreCorpus(labels, [huntReport(), bad], measureReport('clean', 'clean')))
    assert.match(text, /run 2 false positive: cases\/clean\/cache\.test\.ts › cache > fills \(4\.9 KB\/iteration\)/)
    assert.match(text, /run 2 miss: cases\/leaks\/array\.test\.ts › array > grows 8 KB — verdict clean/)
    assert.match(
      text,
      /flipped: cases\/clean\/cache\.test\.ts › cache > fills — clean → leak \(leak decision changed\)/,
    )
    assert.match(text, /miss: cases\/leaks\/array\.test\.ts — verdict clean/)
  })
})
