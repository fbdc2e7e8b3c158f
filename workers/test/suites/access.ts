import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCESS_LEVELS } from "../../src/access/levels";
import { loadOperations } from "../hardening/openapi-walk";
import { asMember, call, expectError, json, keyWithScopes, seedMember, seedProject } from "../helpers";

describe("access levels", () => {
  it("every authenticated operation declares its access level", async () => {
    const { spec, operations } = await loadOperations();
    const missing = operations
      .filter((op) => !op.public && op.path.startsWith("/v1/"))
      .filter((op) => {
        const declared = (spec.paths[op.path]?.[op.method] as Record<string, unknown> | undefined)?.[
          "x-pushbunny-access"
        ];
        return !(ACCESS_LEVELS as readonly unknown[]).includes(declared);
      })
      .map((op) => op.operationId);
    expect(missing).toEqual([]);
  });

  it("a person's session acts on the project it names, with its role", async () => {
    const { projectId } = await seedProject();
    const viewer = await seedMember(projectId, "viewer");
    await json(await call("/v1/experiments", { headers: asMember(viewer.accessToken, projectId) }), 200);
    await expectError(
      await call("/v1/message", {
        headers: asMember(viewer.accessToken, projectId),
        body: { intent_id: "x", base_example: "hi" },
      }),
      403,
      "FORBIDDEN",
      /role 'viewer'/,
    );
    const member = await seedMember(projectId, "member");
    await json(
      await call("/v1/message", {
        headers: asMember(member.accessToken, projectId),
        body: { intent_id: "x", base_example: "hi" },
      }),
      200,
    );
  });

  it("a session must name a project it belongs to", async () => {
    const { projectId } = await seedProject();
    const other = await seedProject();
    const member = await seedMember(projectId, "member");
    await expectError(
      await call("/v1/experiments", { headers: { authorization: `Bearer ${member.accessToken}` } }),
      400,
      "BAD_REQUEST",
      /X-Project-Id/,
    );
    await expectError(
      await call("/v1/experiments", { headers: asMember(member.accessToken, other.projectId) }),
      404,
      "NOT_FOUND",
    );
  });

  it("an API key's scopes bound what it can do, and it cannot name another project", async () => {
    const { projectId, apiKey } = await seedProject();
    const other = await seedProject();
    const sdkKey = await keyWithScopes(projectId, "message");
    await json(await call("/v1/message", { key: sdkKey, body: { intent_id: "x", base_example: "hi" } }), 200);
    await expectError(await call("/v1/experiments", { key: sdkKey }), 403, "FORBIDDEN", /'read' scope/);
    const readKey = await keyWithScopes(projectId, "read");
    await json(await call("/v1/experiments", { key: readKey }), 200);
    await expectError(
      await call("/v1/push/identity-secret", { key: readKey, method: "POST" }),
      403,
      "FORBIDDEN",
      /'admin' scope/,
    );
    await expectError(
      await call("/v1/experiments", { key: apiKey, headers: { "x-project-id": other.projectId } }),
      404,
      "NOT_FOUND",
    );
  });

  it("a test-mode key sends and reads, and never writes or manages, whatever scopes its row holds", async () => {
    const { projectId, apiKey } = await seedProject();
    for (const scopes of ["message,read", "message,read,admin"]) {
      const testKey = await keyWithScopes(projectId, scopes, "test");
      await json(
        await call("/v1/message", { key: testKey, body: { intent_id: "x", base_example: "hi" } }),
        200,
      );
      await json(await call("/v1/experiments", { key: testKey }), 200);
      for (const [method, path, words] of [
        ["POST", "/v1/push/identity-secret", "managing the project"],
        [
          "DELETE",
          "/v1/notifications/ntf_00000000000000000000",
          "changing the project's experiments, notifications and settings",
        ],
      ] as const) {
        await expectError(
          await call(path, { method, key: testKey }),
          403,
          "FORBIDDEN",
          `test-mode keys carry the message and read scopes only: ${words} needs a live key or a person's session`,
        );
      }
    }
    // The seeded keys look like pb_test_ but are stored live: the mode on the row decides.
    await expectError(
      await call("/v1/notifications/ntf_00000000000000000000", { method: "DELETE", key: apiKey }),
      404,
      "NOT_FOUND",
    );
  });

  it("a tampered or foreign access token is a 401", async () => {
    const { projectId } = await seedProject();
    const member = await seedMember(projectId, "member");
    const [h, p, s] = member.accessToken.split(".");
    const tampered = `${h}.${p}.${(s ?? "").slice(0, -2)}AA`;
    await expectError(
      await call("/v1/experiments", { headers: asMember(tampered, projectId) }),
      401,
      "UNAUTHORIZED",
    );
    await env.DB.prepare("UPDATE session_families SET revoked_at = ? WHERE id = ?")
      .bind(Date.now(), member.sessionId)
      .run();
    await expectError(
      await call("/v1/experiments", { headers: asMember(member.accessToken, projectId) }),
      401,
      "UNAUTHORIZED",
      /session ended/,
    );
  });
});
