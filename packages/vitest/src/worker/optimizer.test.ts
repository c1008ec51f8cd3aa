import { describe, expect, it } from 'vitest'
import { optimizingTiers } from './optimizer.js'

describe('optimizingTiers', () => {
  it('has Turbofan on by default, and Maglev from Node 22', () => {
    expect(optimizingTiers([], 20)).toEqual(['turbofan'])
    expect(optimizingTiers([], 22)).toEqual(['turbofan', 'maglev'])
  })

  it('follows the flags the process was started with, the last one winning', () => {
    expect(optimizingTiers(['--no-opt'], 22)).toEqual(['maglev'])
    expect(optimizingTiers(['--no-turbofan', '--turbofan', '--no_maglev'], 22)).toEqual(['turbofan'])
    expect(optimizingTiers(['--maglev'], 20)).toEqual(['turbofan', 'maglev'])
    expect(optimizingTiers(['--max-old-space-size=4096', '--jitless'], 22)).toEqual([])
  })
})
