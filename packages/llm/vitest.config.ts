import { defineConfig } from "vitest/config";

// Lets the package's tests run on their own (`vitest run --root packages/llm`) in plain Node; the
// provider code is workerd-safe, but the Gemini tests need node:http for the stub server.
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 10_000,
  },
});
