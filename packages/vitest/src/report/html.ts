import { formatBytes } from '@qtests/core/format'
import { renderRunSection, runSectionStyles } from './runSection.js'
import type { FileReport, QtestsReport, TestReport } from './schema.js'

// A single self-contained page (no network; uPlot and the data inlined): the same facts as report.json, readable.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A small line chart of post-GC bytes; a rising line is what a leak looks like. */
function sparkline(samples: readonly number[] | undefined): string {
  if (!samples || samples.length < 2) return ''
  const width = 160
  const height = 28
  const min = Math.min(...samples)
  const span = Math.max(...samples) - min || 1
  const points = samples
    .map(
      (value, i) =>
        `${((i / (samples.length - 1)) * width).toFixed(1)},${(height - ((value - min) / span) * height).toFixed(1)}`,
    )
    .join(' ')
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="post-GC memory over iterations"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points}"/></svg>`
}

function badge(verdict: string): string {
  return `<span class="badge ${verdict}">${verdict}</span>`
}

function siteNote(test: TestReport): string {
  const site = test.allocationSites?.[0]
  if (!site) return ''
  return `<br><span class="site">kept memory allocated in <code>${escapeHtml(site.functionName)}</code> (${escapeHtml(site.file)}:${site.line}), ${Math.round(site.share * 100)}% of it</span>`
}

function testRow(test: TestReport): string {
  const size = test.bytesPerIteration === null ? '—' : `${formatBytes(test.bytesPerIteration)}`
  return `<tr class="test ${test.verdict}"><td>${badge(test.verdict)}</td><td>${escapeHtml(test.name)}</td><td class="num">${size}</td><td class="num">${test.confidence.toFixed(2)}</td><td class="num">${test.iterations}</td><td>${sparkline(test.samples)}</td><td class="why">${escapeHtml(test.reason)}${siteNote(test)}</td></tr>`
}

function fileSection(file: FileReport, mode: QtestsReport['mode']): string {
  const growth =
    file.growthBytesPerTest === null ? '' : ` · ${formatBytes(Math.max(0, file.growthBytesPerTest))} per test`
  const open = file.verdict === 'leak' || file.verdict === 'suspect' ? ' open' : ''
  const fileSamples = file.samples?.map((s) => s.bytes)
  return `<details class="file ${file.verdict}"${open}><summary>${badge(file.verdict)} <code>${escapeHtml(file.file)}</code>${file.project ? ` <small>(${escapeHtml(file.project)})</small>` : ''} <span class="meta">retained ${formatBytes(file.retainedBytes)}${growth} · confidence ${file.confidence.toFixed(2)}</span> ${sparkline(fileSamples)}</summary>
<p class="why">${escapeHtml(file.reason)}</p>
<table><thead><tr><th>verdict</th><th>test</th><th>${mode === 'hunt' ? 'bytes / iteration' : 'bytes'}</th><th>confidence</th><th>runs</th><th>post-GC memory</th><th>why</th></tr></thead><tbody>
${file.tests.map(testRow).join('\n')}
</tbody></table></details>`
}

export function renderHtmlReport(report: QtestsReport): string {
  const order = { leak: 0, suspect: 1, clean: 2, unknown: 3 }
  const files = [...report.files].sort((a, b) => order[a.verdict] - order[b.verdict] || a.file.localeCompare(b.file))
  const { summary } = report
  const headline =
    summary.leak + summary.suspect === 0
      ? 'No leaks found'
      : `${summary.leak} leaking file${summary.leak === 1 ? '' : 's'}, ${summary.suspect} suspect`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>qtests — ${escapeHtml(headline)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem;margin:0 0 .25rem}.sub{color:#666;margin:0 0 1.5rem}
.cards{display:flex;gap:.75rem;margin-bottom:1.5rem}.card{border:1px solid #ddd;border-radius:8px;padding:.5rem 1rem;min-width:6rem}
.card b{display:block;font-size:1.5rem}
details.file{border:1px solid #ddd;border-radius:8px;margin:.5rem 0;padding:.25rem .75rem}
details.file.leak{border-color:#d33}details.file.suspect{border-color:#c80}
summary{cursor:pointer;padding:.25rem 0}.meta{color:#666;margin-left:.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.25rem .5rem;border-top:1px solid #eee;vertical-align:middle}
.num{text-align:right;font-variant-numeric:tabular-nums}.why{color:#555}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.8rem;font-weight:600;text-transform:uppercase;color:#fff;background:#888}
.badge.leak{background:#d33}.badge.suspect{background:#c80}.badge.clean{background:#2a7}.badge.unknown{background:#999}
.spark{color:#d33;vertical-align:middle}.site{color:#333}
${runSectionStyles()}
</style></head><body>
<h1>${escapeHtml(headline)}</h1>
<p class="sub">qtests ${escapeHtml(report.tool.version)} · mode <b>${report.mode}</b>${report.settings.iterations ? ` (${report.settings.iterations} iterations per test)` : ''} · run ${escapeHtml(report.outcome)} · ${escapeHtml(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s</p>
<div class="cards"><div class="card"><b>${summary.leak}</b>leaking</div><div class="card"><b>${summary.suspect}</b>suspect</div><div class="card"><b>${summary.clean}</b>clean</div><div class="card"><b>${summary.unknown}</b>unmeasured</div><div class="card"><b>${summary.files}</b>files</div></div>
${renderRunSection(report)}
<h2>Verdicts</h2>
${files.map((file) => fileSection(file, report.mode)).join('\n')}
</body></html>
`
}
