import { defineConfig } from "vitest/config";

// Lets the package's tests run on their own (`vitest run --root packages/adsync`) in plain Node; the
// connectors are workerd-safe, but the tests need node:http for the stub servers.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 10_000,
  },
});
