import { describe, expect, it } from 'vitest'
import { numbers } from '../src/payload.js'
import { call, encodeMethod, inflightCount } from '../src/rpc-client.js'

const shards = Array.from({ length: 12 }, (_, i) => i + 1)

describe('pending-promises', () => {
  it('sends a 3000-value batch that never gets a reply', () => {
    const before = inflightCount()
    void call('metrics.push', numbers(3000, 1))
    expect(inflightCount()).toBe(before + 1)
  })

  it('encodes a method name', () => {
    expect(encodeMethod('metrics', 'push')).toBe('metrics.push')
  })

  it.each(shards)('sends a 2000-value batch to shard %i', (shard) => {
    const before = inflightCount()
    void call(`shard${shard}.push`, numbers(2000, shard))
    expect(inflightCount()).toBe(before + 1)
  })
})
