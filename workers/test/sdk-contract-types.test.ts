// The SDK's types are generated from a committed copy of the API description. This test is the
// tripwire: when a route changes, the live /v1/openapi.json stops matching the copy and the run
// fails until `pnpm sdk:types` refreshes the copy and regenerates packages/sdk/src/generated/api.ts
// (packages/sdk/test/generated-types.test.ts checks that second step).
import { describe, expect, it } from "vitest";
import { call, json } from "./helpers";

describe("SDK contract", () => {
  it("packages/sdk/openapi.json is the Worker's live /v1/openapi.json", async () => {
    const spec = await json(await call("/v1/openapi.json"), 200);
    await expect(
      `${JSON.stringify(spec, null, 2)}\n`,
      "the API changed: run `pnpm sdk:types` and commit packages/sdk/openapi.json and src/generated/api.ts",
    ).toMatchFileSnapshot("../../packages/sdk/openapi.json");
  });
});
