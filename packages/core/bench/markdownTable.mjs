// A Markdown table with padded columns, for the benchmarks' printed results (first row: the header).
export function markdown(rowsToPrint) {
  const widths = rowsToPrint[0].map((_, c) => Math.max(...rowsToPrint.map((r) => String(r[c] ?? '').length)))
  const line = (r) => `| ${r.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join(' | ')} |`
  return [
    line(rowsToPrint[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rowsToPrint.slice(1).map(line),
  ].join('\n')
}
