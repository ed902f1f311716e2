import { defineConfig } from 'vitest/config';

// Three lanes, each a vitest project (`vitest run --project unit`):
// - unit: in-process, fake clock and fake dependencies; no sockets, no child processes.
// - integration: real listeners on 127.0.0.1 port 0, the emulator and the real Lake Formation client.
// - e2e: the built CLI, the packed package, the chart through the real helm, SDKs of other languages.
// `npm test` runs lint, the typecheck, unit and integration: Node alone, no root, no other toolchain.
// `npm run test:all` adds the build and e2e (root, Java, Go, Rust, python, buildah, helm); CI runs it.
export default defineConfig({
  test: {
    // Integration and e2e tests start real listeners and child processes; keep
    // them bounded so a hung server fails the run instead of stalling CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // One process per worker, not per file: starting a fork for each file cost most of the lane's time.
        // Unit tests therefore leave no module state, fake timers, spies or env changes behind them.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false },
      },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Builds the pinned helm and kube-validate into .tools/ on first use.
          globalSetup: ['test/e2e/helm/global-setup.ts'],
        },
      },
    ],
  },
});
