import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // The live-kernel suites fork a native runner; keep them from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
