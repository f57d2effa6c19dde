import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/build-setup.ts'],
    projects: [
      {
        test: {
          name: 'core',
          environment: 'node',
          include: ['core/**/*.test.ts', 'cli/**/*.test.ts', 'demo/**/*.test.ts', 'client/**/*.test.ts', 'app/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['core/**/*.ts', 'cli/**/*.ts', 'demo/**/*.ts', 'client/**/*.ts', 'app/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'core/raft/**': { lines: 90 },
      },
    },
  },
});
