export { freePort } from './freePort.js'
export { type PackedPackages, packPackages } from './pack.js'
export { cacheDir, repoRoot } from './paths.js'
export { childEnv, processesWith } from './processes.js'
export { type SpawnedVitest, spawnVitest } from './spawnVitest.js'
export {
  installProject,
  node22,
  type VitestMajor,
  type VitestTarget,
  vitestBin,
  VITEST_PINS,
  vitestMajor,
  vitestTarget,
} from './targets.js'
