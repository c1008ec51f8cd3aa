import { describe, expect, it } from 'vitest'
import { layoutOf, layoutsComputed } from '../src/layout-cache.js'

const widths = Array.from({ length: 12 }, (_, i) => (i + 1) * 80)

describe('weakmap-cache', () => {
  it('computes a layout once per node', () => {
    const before = layoutsComputed()
    const node = { id: 'root', children: 3 }
    expect(layoutOf(node)).toBe(layoutOf(node))
    expect(layoutsComputed()).toBe(before + 1)
  })

  it('computes separate layouts for separate nodes', () => {
    const a = { id: 'a', children: 1 }
    const b = { id: 'b', children: 2 }
    expect(layoutOf(a)[0]).toBe(1)
    expect(layoutOf(b)[0]).toBe(2)
  })

  it.each(widths)('lays out a panel %i px wide', (width) => {
    const panel = { id: `panel-${width}`, children: width % 7 }
    expect(layoutOf(panel)).toHaveLength(4000)
  })
})
