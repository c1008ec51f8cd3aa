/**
 * Whether the process runs in CI, from the variable CI services set (GitHub Actions, GitLab CI, CircleCI…);
 * `CI=false` and `CI=0` say it does not.
 */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0'
}
