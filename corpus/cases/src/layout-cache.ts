import { numbers } from './payload.js'

export interface LayoutNode {
  id: string
  children: number
}

// Keyed weakly by the node: a layout lives exactly as long as the node it describes.
const layouts = new WeakMap<LayoutNode, number[]>()
let computed = 0

export function layoutOf(node: LayoutNode): number[] {
  let layout = layouts.get(node)
  if (!layout) {
    layout = numbers(4000, node.children)
    layouts.set(node, layout)
    computed++
  }
  return layout
}

export function layoutsComputed(): number {
  return computed
}
