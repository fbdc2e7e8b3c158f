import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/env";
import { UnauthorizedError } from "../../src/errors";
import { authenticate } from "../../src/infra/api-keys";
import { buildContext } from "../../src/infra/build-context";
import { seedProject } from "../helpers";

describe("authentication and configuration", () => {
  it("refuses development keys in production even if they exist in the database", async () => {
    const ctx = buildContext(env, () => {});
    const prod = {
      ...ctx,
      config: { ...ctx.config, environment: "production" as const, isProduction: true },
    };
    await expect(authenticate(prod, "pb_dev_local_0000000000000000")).rejects.toThrow(
      new UnauthorizedError("development keys are not accepted in production"),
    );
    const { apiKey, projectId } = await seedProject();
    expect((await authenticate(prod, apiKey)).projectId).toBe(projectId);
  });

  it("fails loudly on a production config without a tracking secret or with bad values", () => {
    expect(() => loadConfig({ ...env, ENVIRONMENT: "production", TRACKING_SECRET: undefined })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ...env, ENVIRONMENT: "production", TRACKING_SECRET: "short" })).toThrow(
      /TRACKING_SECRET: TRACKING_SECRET must be at least 16 characters/,
    );
    expect(() => loadConfig({ ...env, CHALLENGER_COUNT: "eleven" })).toThrow(/CHALLENGER_COUNT/);
    const prod = loadConfig({ ...env, ENVIRONMENT: "production", CORS_ORIGINS: "" });
    expect(prod.corsOrigins).toEqual([]);
    expect(loadConfig({ ...env, ENVIRONMENT: "development", CORS_ORIGINS: undefined }).corsOrigins).toBe("*");
  });
});
