import { defineConfig } from "vitest/config";

// Lets the package's tests run on their own (`vitest run --root packages/webpush`) in plain Node; the
// package is workerd-safe, but the tests need node:http and node:crypto for the fake push service.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 10_000,
  },
});
