import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: pure packages run in plain Node (fast, no runtime), the Worker runs in
// workerd with local D1, KV, Queues and Durable Objects from wrangler.toml.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "packages",
            environment: "node",
            include: ["packages/*/test/**/*.test.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ENVIRONMENT: "test",
                  LOG_LEVEL: "error",
                  TRACKING_SECRET: "test-tracking-secret-0123456789",
                  API_KEYS: "pb_bootstrap_test_key",
                  CORS_ORIGINS: "https://app.example.com",
                  TEST_MIGRATIONS: migrations,
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["workers/test/**/*.test.ts"],
            setupFiles: ["./workers/test/setup.ts"],
            testTimeout: 30_000,
          },
        },
      ],
    },
  };
});
