import { setV8Flags } from './captured.js'

// V8's optimizing compilers make machine code, and metadata beside it (deoptimization data, relocation info),
// as functions get hot; in some suites every run of a test makes more (React in development mode on jsdom:
// 1.5 KiB a run, still at run 400). Code space is left out of the samples, but the metadata is not. With the
// optimizers off for one window that growth stops, and a leak does not: `HuntedTest` asks for such a window.

export type OptimizingTier = 'turbofan' | 'maglev'

/**
 * The optimizing compilers on in a process started with these flags (its `execArgv`, then `NODE_OPTIONS`):
 * Turbofan always, Maglev from Node 22; the last flag naming one wins. None under `--jitless`.
 */
export function optimizingTiers(flags: readonly string[], nodeMajor: number): OptimizingTier[] {
  const on = new Map<OptimizingTier, boolean>([
    ['turbofan', true],
    ['maglev', nodeMajor >= 22],
  ])
  for (const raw of flags) {
    const flag = raw.replace(/_/g, '-')
    if (flag === '--jitless') return []
    const match = /^--(no-)?(opt|turbofan|maglev)$/.exec(flag)
    if (match) on.set(match[2] === 'maglev' ? 'maglev' : 'turbofan', !match[1])
  }
  return [...on].filter(([, enabled]) => enabled).map(([tier]) => tier)
}

let turnedOff: OptimizingTier[] = []

/**
 * Turns the given tiers off, or back on what was turned off. V8's flags belong to the process: with a
 * threads pool, tests in the other threads of the repeat run go unoptimized meanwhile (slower, not wrong).
 */
export function setOptimizing(on: boolean, tiers: readonly OptimizingTier[]): void {
  if (on) {
    for (const tier of turnedOff) setV8Flags(`--${tier}`)
    turnedOff = []
  } else if (turnedOff.length === 0) {
    for (const tier of tiers) setV8Flags(`--no-${tier}`)
    turnedOff = [...tiers]
  }
}

/** The tiers this process runs with. */
export function processTiers(): OptimizingTier[] {
  const fromEnv = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)
  return optimizingTiers([...process.execArgv, ...fromEnv], Number(process.versions.node.split('.')[0]))
}
