import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // WebGPU tests share one Dawn instance per worker; forks keep native crashes contained.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.LPC_VITEST_JSON ? ['default', ['json', { outputFile: process.env.LPC_VITEST_JSON }]] : ['default'],
  },
});
