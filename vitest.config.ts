import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the pinned helm and kube-validate into .tools/ on first use.
    globalSetup: ['test/helm/global-setup.ts'],
    // Integration tests start real listeners and child processes; keep them
    // bounded so a hung server fails the run instead of stalling CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
