import { describe, expect, it } from 'vitest'
import { text } from '../src/payload.js'
import { pluginId, registeredPlugins, registerPlugin } from '../src/plugin-registry.js'

const plugins = Array.from({ length: 12 }, (_, i) => `coupon-${i + 1}`)

describe('global-registry', () => {
  it('registers a plugin with a 30000-char manifest', () => {
    const before = registeredPlugins()
    registerPlugin('tax', text(30_000, 1))
    expect(registeredPlugins()).toBe(before + 1)
  })

  it('builds a plugin id from name and version', () => {
    expect(pluginId('tax', '1.2.0')).toBe('tax@1.2.0')
  })

  it.each(plugins)('registers %s with a 12000-char manifest', (name) => {
    const before = registeredPlugins()
    registerPlugin(name, text(12_000, name.length))
    expect(registeredPlugins()).toBe(before + 1)
  })
})
