import { describe, expect, it } from 'vitest'
import { openWorkspace, shutdownHookCount, workspaceSlug } from '../src/shutdown-hooks.js'

const projects = Array.from({ length: 12 }, (_, i) => `Project ${i + 1}`)

describe('callback-closures', () => {
  it('opens a workspace with a 12000-value scratch area', () => {
    const before = shutdownHookCount()
    openWorkspace('main', 12_000).write(0, 1)
    expect(shutdownHookCount()).toBe(before + 1)
  })

  it('slugifies a workspace name', () => {
    expect(workspaceSlug('My Project 1')).toBe('my-project-1')
  })

  it.each(projects)('opens %s with a 2500-value scratch area', (name) => {
    const before = shutdownHookCount()
    openWorkspace(workspaceSlug(name), 2500).write(1, 2)
    expect(shutdownHookCount()).toBe(before + 1)
  })
})
