// src/generated/api.ts must be exactly what openapi-typescript makes of the committed API
// description (openapi.json, itself checked against the live Worker by
// workers/test/sdk-contract-types.test.ts). `pnpm sdk:types` rewrites both.
import { readFile } from "node:fs/promises";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";

const HEADER =
  "// Generated from packages/sdk/openapi.json by openapi-typescript: run `pnpm sdk:types`, never edit.\n";

describe("generated API types", () => {
  it("src/generated/api.ts is up to date with openapi.json", async () => {
    const spec = JSON.parse(await readFile(new URL("../openapi.json", import.meta.url), "utf8"));
    const source = HEADER + astToString(await openapiTS(spec, { alphabetize: false }));
    await expect(source, "stale generated types: run `pnpm sdk:types`").toMatchFileSnapshot(
      "../src/generated/api.ts",
    );
  });
});
