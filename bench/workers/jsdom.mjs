// The jsdom suite: a non-isolated (`isolate: false`) jsdom suite of UI tests. Each file mounts widgets
// from a few KB of innerHTML, queries them with querySelectorAll and drives them with events; the widgets
// and a modest generated library (the same generator as the graph suite's, fewer modules) are the shared
// module graph. A worker sets up jsdom and loads that graph once; every extra worker pays for it again (a
// second worker added 2.1 s of CPU to the full suite in a first run), as in the public jsdom suites that
// ran slower under more workers.

import { buildLibrary, evaluateLibrary, probeTest, usedExports } from './library.mjs'

const pad = (i) => String(i).padStart(2, '0')
const str = (value) => JSON.stringify(value)

const words = [
  'amber',
  'basalt',
  'cobalt',
  'dune',
  'ember',
  'fern',
  'granite',
  'harbor',
  'indigo',
  'jade',
  'kelp',
  'lichen',
  'marble',
  'nickel',
  'onyx',
  'pine',
]
const capitalize = (word) => word[0].toUpperCase() + word.slice(1)

const widgets = {
  'src/widgets/escape.ts': `const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!)
}
`,
  'src/widgets/list.ts': `import { capitalize } from '../core/text'
import { escapeHtml } from './escape'

export function renderList(items: readonly string[]): string {
  const rows = items.map(
    (item, i) =>
      \`<li data-index="\${i}" class="\${i % 2 ? 'odd' : 'even'}"><span class="label">\${escapeHtml(capitalize(item))}</span>\` +
      \`<small class="hint">item \${i + 1} of \${items.length}</small><button type="button" class="remove" aria-label="remove \${escapeHtml(item)}">x</button></li>\`,
  )
  return \`<section class="list-widget"><h2>\${items.length} items</h2><ul class="list">\${rows.join('')}</ul></section>\`
}

/** Renders items into root; a click on a remove button removes its row and updates root's data-count. */
export function mountList(root: HTMLElement, items: readonly string[]): void {
  root.innerHTML = renderList(items)
  root.dataset.count = String(items.length)
  root.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button.remove')
    if (!button) return
    button.closest('li')!.remove()
    root.dataset.count = String(root.querySelectorAll('li').length)
  })
}
`,
  'src/widgets/table.ts': `export function renderTable(rows: readonly number[][]): string {
  const head = rows[0]!.map((_, c) => \`<th scope="col" data-column="\${c}">Column \${c + 1}</th>\`).join('')
  const body = rows.map((row, r) => \`<tr data-row="\${r}">\${row.map((value) => \`<td class="num">\${value}</td>\`).join('')}</tr>\`).join('')
  return \`<table class="data"><thead><tr>\${head}</tr></thead><tbody>\${body}</tbody></table>\`
}

/** Reorders the body's rows by a column, ascending, by moving the row elements. */
export function sortTable(table: HTMLTableElement, column: number): void {
  const body = table.tBodies[0]!
  const rows = [...body.rows].sort((a, b) => Number(a.cells[column]!.textContent) - Number(b.cells[column]!.textContent))
  for (const row of rows) body.appendChild(row)
}

export function columnSum(table: HTMLTableElement, column: number): number {
  let sum = 0
  for (const row of table.tBodies[0]!.rows) sum += Number(row.cells[column]!.textContent)
  return sum
}
`,
  'src/widgets/counter.ts': `export function mountCounter(root: HTMLElement, step: number): void {
  root.innerHTML = '<button type="button" class="increment">+</button><output class="value">0</output>'
  const output = root.querySelector('output')!
  root.querySelector('button')!.addEventListener('click', () => {
    output.textContent = String(Number(output.textContent) + step)
  })
}
`,
  'src/widgets/filter.ts': `import { renderList } from './list'

/** A list with a search box: typing hides the rows whose item does not contain the query. */
export function mountFilter(root: HTMLElement, items: readonly string[]): void {
  root.innerHTML = \`<input type="search" class="query">\${renderList(items)}\`
  const input = root.querySelector<HTMLInputElement>('input.query')!
  input.addEventListener('input', () => {
    const query = input.value.trim().toLowerCase()
    root.querySelectorAll<HTMLElement>('li').forEach((row, i) => {
      row.hidden = query !== '' && !items[i]!.includes(query)
    })
  })
}
`,
  'src/widgets/form.ts': `const emailPattern = /^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$/

/** A sign-up form: on submit, lists one error per invalid field (or none) in ul.errors. */
export function mountForm(root: HTMLElement): void {
  root.innerHTML = \`<form novalidate>
    <label>Name <input name="name"></label>
    <label>Email <input name="email" type="email"></label>
    <label>Password <input name="password" type="password"></label>
    <button type="submit">Sign up</button>
    <ul class="errors"></ul>
  </form>\`
  const form = root.querySelector('form')!
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value
    const errors: string[] = []
    if (value('name').trim() === '') errors.push('name is required')
    if (!emailPattern.test(value('email'))) errors.push('email is not an address')
    if (value('password').length < 8) errors.push('password is shorter than 8')
    form.querySelector('ul.errors')!.innerHTML = errors.map((error) => \`<li>\${error}</li>\`).join('')
  })
}
`,
  'src/widgets/tabs.ts': `export function mountTabs(root: HTMLElement, labels: readonly string[]): void {
  const tabs = labels.map((label, i) => \`<button role="tab" id="tab-\${i}" aria-selected="\${i === 0}">\${label}</button>\`).join('')
  const panels = labels.map((label, i) => \`<div role="tabpanel" aria-labelledby="tab-\${i}"\${i === 0 ? '' : ' hidden'}><p>\${label} panel</p></div>\`).join('')
  root.innerHTML = \`<div role="tablist">\${tabs}</div>\${panels}\`
  root.querySelector('[role=tablist]')!.addEventListener('click', (event) => {
    const tab = (event.target as Element).closest('[role=tab]')
    if (!tab) return
    root.querySelectorAll('[role=tab]').forEach((other) => other.setAttribute('aria-selected', String(other === tab)))
    root.querySelectorAll<HTMLElement>('[role=tabpanel]').forEach((panel) => {
      panel.hidden = panel.getAttribute('aria-labelledby') !== tab.id
    })
  })
}
`,
}

/** One file's tests: every widget once, with sizes and inputs from the file index, and one library case. */
function widgetTests(i) {
  const itemCount = 20 + ((i * 17) % 31)
  const items = Array.from({ length: itemCount }, (_, k) => `${words[(i + k) % words.length]}-${k}`)
  const removed = [3, 11, 19].map((k) => items[k])
  const rowCount = 20 + (i % 21)
  const columns = 6
  const rows = Array.from({ length: rowCount }, (_, r) =>
    Array.from({ length: columns }, (_, c) => ((r + 1) * 7919 * (c + 3) + i * 31) % 1000),
  )
  const sortColumn = i % columns
  const clicks = 5 + (i % 9)
  const step = 1 + (i % 4)
  const query = words[i % words.length].slice(0, 3)
  const visible = items.filter((item) => item.includes(query)).length
  const form = {
    name: i % 3 === 0 ? '' : 'Ada',
    email: i % 2 === 0 ? 'ada@example.org' : 'ada@example',
    password: i % 5 === 0 ? 'short' : 'long enough',
  }
  const errors = [
    form.name === '' && 'name is required',
    form.email === 'ada@example' && 'email is not an address',
    form.password === 'short' && 'password is shorter than 8',
  ].filter(Boolean)
  const labels = Array.from({ length: 3 + (i % 5) }, (_, t) => capitalize(words[(i + 3 * t) % words.length]))
  const selected = labels.length - 1
  return [
    `  it('renders ${itemCount} items and removes three by click', () => {
    const root = document.createElement('div')
    document.body.append(root)
    mountList(root, ${str(items)})
    expect(root.querySelectorAll('li')).toHaveLength(${itemCount})
    expect(root.querySelectorAll('li.odd')).toHaveLength(${Math.floor(itemCount / 2)})
    expect(root.querySelector('li[data-index="${itemCount - 1}"] .label')!.textContent).toBe(${str(capitalize(items[itemCount - 1]))})
    for (const item of ${str(removed)}) root.querySelector<HTMLButtonElement>(\`button[aria-label="remove \${item}"]\`)!.click()
    expect(root.dataset.count).toBe('${itemCount - 3}')
    expect([...root.querySelectorAll('.label')].map((label) => label.textContent)).not.toContain(${str(capitalize(removed[1]))})
  })`,
    `  it('sorts a ${rowCount}-row table by column ${sortColumn + 1}', () => {
    document.body.innerHTML = renderTable(${str(rows)})
    const table = document.querySelector('table')!
    expect(table.querySelectorAll('tbody tr')).toHaveLength(${rowCount})
    expect(columnSum(table, ${sortColumn})).toBe(${rows.reduce((sum, row) => sum + row[sortColumn], 0)})
    sortTable(table, ${sortColumn})
    expect(table.tBodies[0]!.rows[0]!.cells[${sortColumn}]!.textContent).toBe('${Math.min(...rows.map((row) => row[sortColumn]))}')
    expect(table.tBodies[0]!.rows[${rowCount - 1}]!.cells[${sortColumn}]!.textContent).toBe('${Math.max(...rows.map((row) => row[sortColumn]))}')
  })`,
    `  it('counts ${clicks} clicks in steps of ${step}', () => {
    const root = document.createElement('div')
    document.body.append(root)
    mountCounter(root, ${step})
    const button = root.querySelector('button')!
    for (let k = 0; k < ${clicks}; k++) button.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    expect(root.querySelector('output')!.textContent).toBe('${clicks * step}')
  })`,
    `  it('filters ${itemCount} items by "${query}"', () => {
    const root = document.createElement('div')
    document.body.append(root)
    mountFilter(root, ${str(items)})
    const input = root.querySelector<HTMLInputElement>('input.query')!
    input.value = '${query}'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    expect(root.querySelectorAll('li:not([hidden])')).toHaveLength(${visible})
    input.value = ''
    input.dispatchEvent(new Event('input', { bubbles: true }))
    expect(root.querySelectorAll('li[hidden]')).toHaveLength(0)
  })`,
    `  it('lists ${errors.length} error(s) when the form is submitted', () => {
    const root = document.createElement('div')
    document.body.append(root)
    mountForm(root)
    const form = root.querySelector('form')!
    for (const [name, value] of Object.entries(${str(form)})) (form.elements.namedItem(name) as HTMLInputElement).value = value
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))
    expect([...root.querySelectorAll('ul.errors li')].map((item) => item.textContent)).toEqual(${str(errors)})
  })`,
    `  it('shows the panel of the tab clicked last of ${labels.length}', () => {
    const root = document.createElement('div')
    document.body.append(root)
    mountTabs(root, ${str(labels)})
    root.querySelector<HTMLElement>('#tab-${selected}')!.click()
    expect(root.querySelector('[aria-selected="true"]')!.textContent).toBe(${str(labels[selected])})
    expect(root.querySelectorAll('[role=tabpanel]:not([hidden])')).toHaveLength(1)
    expect(root.querySelector('[role=tabpanel]:not([hidden]) p')!.textContent).toBe(${str(`${labels[selected]} panel`)})
  })`,
  ]
}

export const jsdomSuite = {
  name: 'jsdom',
  files: 72,
  quickFiles: 16,
  test: { environment: 'jsdom', isolate: false },
  libraryModules: (quick) => (quick ? 24 : 48),
  async build(quick) {
    const { modules, domain } = buildLibrary(this.libraryModules(quick))
    const { evaluate, exportNames } = await evaluateLibrary(modules)
    const sources = {
      ...Object.fromEntries(Object.entries(modules).map(([path, source]) => [`src/${path}`, source])),
      ...widgets,
    }
    const testFile = (i) => {
      const module = domain[(i * 13) % domain.length]
      const expression = module.probes[i % module.probes.length]
      const tests = [...widgetTests(i), probeTest(`formats with ${module.file}`, expression, evaluate)]
      return {
        tests: tests.length,
        source: `// Generated by bench/workers/generate.mjs (jsdom file ${i}); do not edit.
import { afterEach, describe, expect, it } from 'vitest'
import { ${usedExports([expression], exportNames).join(', ')} } from '../src/index'
import { mountCounter } from '../src/widgets/counter'
import { mountFilter } from '../src/widgets/filter'
import { mountForm } from '../src/widgets/form'
import { mountList } from '../src/widgets/list'
import { columnSum, renderTable, sortTable } from '../src/widgets/table'
import { mountTabs } from '../src/widgets/tabs'

// Workers are reused (isolate: false): the document outlives the file, so each test leaves it empty.
afterEach(() => {
  document.body.innerHTML = ''
})

describe('ui ${pad(i)}', () => {
${tests.join('\n\n')}
})
`,
      }
    }
    return { sources, testFile }
  },
}
