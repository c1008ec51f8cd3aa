import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { formatBytes } from '@qtests/core/format'
import type { QtestsReport } from './schema.js'
import { type FileRow, type MemoryChart, type RunCharts, runCharts } from './chartData.js'
import { CLIENT_SCRIPT } from './clientScript.js'

// The run in report.html: charts drawn by uPlot, inlined with the data, so the page stays one file with no network.

let uplot: { js: string; css: string } | undefined

/** uPlot's browser build and stylesheet, read once from the installed package. */
function uplotSources(): { js: string; css: string } {
  if (!uplot) {
    const require = createRequire(import.meta.url)
    uplot = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    }
  }
  return uplot
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** JSON that can sit inside a <script> element: no `<` can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

const sortable = (key: string, label: string, type: 'text' | 'number') =>
  `<th data-sort="${key}" data-type="${type}" tabindex="0" role="columnheader" aria-sort="none">${label}</th>`

function fileRow(row: FileRow, index: number): string {
  const num = (value: number | null, shown: string, title?: string | null) =>
    `<td class="num" data-value="${value ?? ''}"${title ? ` title="${escapeHtml(title)}"` : ''}>${value === null ? '—' : shown}</td>`
  const verdictRank = { leak: 0, suspect: 1, clean: 2, unknown: 3 }[row.verdict]
  return `<tr data-index="${index}"><td data-value="${escapeHtml(row.file)}"><code>${escapeHtml(row.file)}</code>${row.project ? ` <small>(${escapeHtml(row.project)})</small>` : ''}</td>${num(row.durationMs, `${((row.durationMs ?? 0) / 1000).toFixed(2)} s`)}${num(row.peakRssBytes, formatBytes(row.peakRssBytes ?? 0))}${num(row.retainedBytes, formatBytes(row.retainedBytes))}${num(row.eventLoopMaxMs, `${(row.eventLoopMaxMs ?? 0).toFixed(0)} ms`, row.eventLoopNote)}<td data-value="${verdictRank}"><span class="badge ${row.verdict}">${row.verdict}</span></td></tr>`
}

function filesTable(rows: FileRow[]): string {
  return `<table class="files-table"><thead><tr>${sortable('file', 'file', 'text')}${sortable('duration', 'duration', 'number')}${sortable('peak', 'peak memory', 'number')}${sortable('retained', 'retained', 'number')}${sortable('blocking', 'event-loop blocking', 'number')}${sortable('verdict', 'verdict', 'number')}</tr></thead><tbody>
${rows.map(fileRow).join('\n')}
</tbody></table>`
}

function chartBlock(id: string, title: string, note: string): string {
  return `<figure class="chart" id="${id}"><figcaption>${escapeHtml(title)} <small>${escapeHtml(note)}</small></figcaption><div class="plot"></div></figure>`
}

/** The styles the run section needs, uPlot's included. */
export function runSectionStyles(): string {
  return `${uplotSources().css}
section.run{margin:1.5rem 0}figure.chart{margin:1rem 0;border:1px solid #ddd;border-radius:8px;padding:.5rem .75rem}
figcaption{font-weight:600;margin-bottom:.25rem}figcaption small{font-weight:400;color:#666}
.files-table th[data-sort]{cursor:pointer;user-select:none;white-space:nowrap}
.files-table th[aria-sort=ascending]::after{content:" ▲"}.files-table th[aria-sort=descending]::after{content:" ▼"}`
}

function memoryMeasure(measure: MemoryChart['measure']): string {
  if (measure === 'RSS') return 'RSS'
  // Threads share their process's RSS: a thread's own memory is its heap.
  return measure === 'heap' ? 'heap of each thread' : 'RSS of forked workers, heap of thread workers'
}

/** One line on Vitest's main process: what held the run's scheduling, results and (with threads) its workers. */
export function mainProcessLine(main: QtestsReport['mainProcess']): string {
  if (!main) return ''
  const delay = main.eventLoopDelayMs
  return `<p class="main-process">Vitest's main process: peak heap ${formatBytes(main.peakHeapBytes)}, peak RSS ${formatBytes(main.peakRssBytes)}, CPU ${(main.cpuShare * 100).toFixed(1)}% of all cores, event-loop delay p99 ${delay.p99.toFixed(1)} ms (max ${delay.max.toFixed(1)} ms), GC ${main.gc.pauseMs.toFixed(0)} ms in ${main.gc.count} collections; ${main.samples} samples</p>`
}

/** Charts of the run and the sortable file table; `charts` are computed from the report when not given. */
export function renderRunSection(report: QtestsReport, charts: RunCharts = runCharts(report)): string {
  const blocks: string[] = []
  if (charts.memory)
    blocks.push(
      chartBlock(
        'chart-memory',
        'Memory per worker',
        `${memoryMeasure(charts.memory.measure)}, MiB; dashed: a file starts; ▼ red: a leaking file ends, ▼ amber: a suspect one`,
      ),
    )
  if (charts.scaling)
    blocks.push(
      chartBlock(
        'chart-scaling',
        'Workers over time',
        'files allowed to run (limit) and running; all workers’ RSS, MiB',
      ),
    )
  charts.load.forEach((load, i) => {
    blocks.push(
      chartBlock(
        `chart-load-${i}`,
        `Load: ${load.title}`,
        'latency p50 and p99, ms; requests per second; dotted: memory mode switches',
      ),
    )
  })
  return `<section class="run"><h2>The run</h2>
${mainProcessLine(report.mainProcess)}
${blocks.join('\n')}
<h2>Files</h2>
${filesTable(charts.files)}
<script type="application/json" id="qtests-charts">${scriptJson(charts)}</script>
<script>${uplotSources().js}</script>
<script>${CLIENT_SCRIPT}</script>
</section>`
}
