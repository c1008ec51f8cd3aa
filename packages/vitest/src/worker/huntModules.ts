// hunt only: the code only the repeat run's hunt runs (a test's course and its statistics, test tooling, V8's
// optimizers), loaded before a hunting worker collects its first file. With `isolate` a measure-mode worker loads the
// runner for each test file, and this code was ~40% of the bundle it compiled.

export async function loadHuntModules() {
  const [hunted, tooling, mocks, optimizer] = await Promise.all([
    import('./huntedTest.js'),
    import('./tooling.js'),
    import('./vitestMocks.js'),
    import('./optimizer.js'),
  ])
  const { HuntedTest, IDLE_CHECK_MS, RUNS_TO_FIRST_BOUND } = hunted
  const { loadedSinon, silenceConsole, sinonSandbox } = tooling
  const { processTiers, setOptimizing } = optimizer
  return {
    HuntedTest,
    IDLE_CHECK_MS,
    RUNS_TO_FIRST_BOUND,
    loadedSinon,
    silenceConsole,
    sinonSandbox,
    vitestMockRegistries: mocks.vitestMockRegistries,
    processTiers,
    setOptimizing,
  }
}

export type HuntModules = Awaited<ReturnType<typeof loadHuntModules>>
