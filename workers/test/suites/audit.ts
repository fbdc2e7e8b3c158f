import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import {
  asMember,
  call,
  db,
  expectError,
  experimentWithArms,
  json,
  seedMember,
  seedProject,
} from "../helpers";

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
}
interface Page {
  entries: Entry[];
  next_cursor: string | null;
}

const logOf = (projectId: string, query = "") => `/v1/projects/${projectId}/audit-log${query}`;

async function readLog(projectId: string, key: string, query = "") {
  return json<Page>(await call(logOf(projectId, query), { key }), 200);
}

/** Every entry, page by page. */
async function wholeLog(projectId: string, key: string, action?: string) {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ limit: "3" });
    if (action) params.set("action", action);
    if (cursor) params.set("cursor", cursor);
    const page: Page = await readLog(projectId, key, `?${params}`);
    expect(page.entries.length).toBeLessThanOrEqual(3);
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor);
  return entries;
}

const actorOfKey = (key: string) => `api_key:${key.slice(0, 12)}…`;

describe("the audit log", () => {
  it("records the key lifecycle with the actor, newest first, and never a secret", async () => {
    const { projectId, apiKey } = await seedProject();
    const admin = await seedMember(projectId, "admin");
    const keys = `/v1/projects/${projectId}/api-keys`;
    const created = await json<{ key_id: string; key: string; prefix: string }>(
      await call(keys, { key: apiKey, body: { name: "audited", scopes: ["message", "read"] } }),
      201,
    );
    await json(
      await call(`${keys}/${created.key_id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${admin.accessToken}` },
        body: { name: "renamed", expires_at: "2099-01-01T00:00:00Z" },
      }),
      200,
    );
    const rolled = await json<{ key_id: string; key: string; prefix: string }>(
      await call(`${keys}/${created.key_id}/roll`, { key: apiKey, body: { grace_seconds: 60 } }),
      201,
    );
    await json(await call(`${keys}/${rolled.key_id}`, { method: "DELETE", key: apiKey }), 200);
    await json(await call(`${keys}/${rolled.key_id}`, { method: "DELETE", key: apiKey }), 200); // idempotent

    const entries = await wholeLog(projectId, apiKey);
    expect(entries.map((e) => e.action)).toEqual([
      "api_key.revoked",
      "api_key.rolled",
      "api_key.expiry_changed",
      "api_key.renamed",
      "api_key.created",
    ]);
    const [revoked, roll, expiry, renamed, create] = entries;
    expect(create).toMatchObject({
      actor: actorOfKey(apiKey),
      target_type: "api_key",
      target_id: created.key_id,
      details: {
        name: "audited",
        prefix: created.prefix,
        scopes: ["message", "read"],
        mode: "live",
        expires_at: null,
      },
    });
    expect(renamed).toMatchObject({
      actor: `user:${admin.userId}`,
      details: { prefix: created.prefix, from: "audited", to: "renamed" },
    });
    expect(expiry).toMatchObject({
      actor: `user:${admin.userId}`,
      details: { from: null, to: "2099-01-01T00:00:00.000Z" },
    });
    expect(roll).toMatchObject({
      target_id: created.key_id,
      details: {
        prefix: created.prefix,
        new_key_id: rolled.key_id,
        new_prefix: rolled.prefix,
        grace_seconds: 60,
      },
    });
    expect(revoked).toMatchObject({
      target_id: rolled.key_id,
      details: { prefix: rolled.prefix, name: "renamed" },
    });
    for (const e of entries) {
      expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(e.id).toMatch(/^aud_/);
    }

    // No secret anywhere: not the new keys', not the acting key's beyond its prefix.
    const text = JSON.stringify(entries);
    for (const secret of [created.key, rolled.key, apiKey]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(12));
    }
    const stored = await env.DB.prepare("SELECT * FROM audit_log WHERE project_id = ?").bind(projectId).all();
    for (const secret of [created.key, rolled.key, apiKey])
      expect(JSON.stringify(stored.results)).not.toContain(secret);
  });

  it("records settings, secrets rotated, winners and channels, with who did them", async () => {
    const { projectId, apiKey, experimentId, variants } = await experimentWithArms("audit_hooks", [
      "Challenger",
    ]);
    const member = await seedMember(projectId, "member");
    const challenger = variants.find((v) => v.text === "Challenger");
    expect(challenger).toBeDefined();

    await json(
      await call(`/v1/experiments/${experimentId}`, {
        method: "PATCH",
        headers: asMember(member.accessToken, projectId),
        body: { strategy: "sticky", reason: "stable arms" },
      }),
      200,
    );
    await json(
      await call(`/v1/experiments/${experimentId}/winner`, {
        key: apiKey,
        body: { variant_id: challenger?.id },
      }),
      200,
    );
    await json(
      await call(`/v1/experiments/${experimentId}/winner`, { method: "DELETE", key: apiKey, body: {} }),
      200,
    );
    await json(
      await call("/v1/push/settings", { method: "PUT", key: apiKey, body: { public_topics: ["news"] } }),
      200,
    );
    const secret = await json<{ secret: string }>(
      await call("/v1/push/identity-secret", { method: "POST", key: apiKey }),
      200,
    );
    const vapid = await json<{ key_id: string }>(
      await call("/v1/push/vapid/rotate", { method: "POST", key: apiKey }),
      200,
    );
    await json(await call("/v1/ads/channels/tiktok", { method: "PUT", key: apiKey }), 200);
    const disconnected = await call("/v1/ads/channels/tiktok", { method: "DELETE", key: apiKey });
    expect(disconnected.status, await disconnected.clone().text()).toBe(204);

    const entries = await wholeLog(projectId, apiKey);
    const byAction = new Map(entries.map((e) => [e.action, e]));
    expect([...byAction.keys()].sort()).toEqual(
      [
        "ads.channel_connected",
        "ads.channel_disconnected",
        "experiment.updated",
        "experiment.winner_cleared",
        "experiment.winner_declared",
        "push.identity_secret_rotated",
        "push.settings_updated",
        "push.vapid_key_rotated",
      ].sort(),
    );
    expect(byAction.get("experiment.updated")).toMatchObject({
      actor: `user:${member.userId}`,
      target_type: "experiment",
      target_id: experimentId,
      details: { changed: { strategy: { to: "sticky" } }, reason: "stable arms" },
    });
    expect(byAction.get("experiment.winner_declared")).toMatchObject({
      actor: actorOfKey(apiKey),
      target_id: experimentId,
      details: { variant_id: challenger?.id, previous_winner: null },
    });
    expect(byAction.get("experiment.winner_cleared")).toMatchObject({
      details: { variant_id: challenger?.id },
    });
    expect(byAction.get("push.settings_updated")).toMatchObject({
      target_type: "project",
      target_id: projectId,
      details: { public_topics: ["news"] },
    });
    expect(byAction.get("push.identity_secret_rotated")).toMatchObject({ target_id: projectId });
    expect(byAction.get("push.vapid_key_rotated")).toMatchObject({
      target_type: "vapid_key",
      target_id: vapid.key_id,
    });
    expect(byAction.get("ads.channel_connected")).toMatchObject({
      target_type: "ad_channel",
      target_id: "tiktok",
      details: { source: "sandbox" },
    });
    expect(byAction.get("ads.channel_disconnected")).toMatchObject({ target_id: "tiktok" });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(secret.secret);
    expect(text).not.toContain(apiKey.slice(12));
  });

  it("filters by one action or a family, and pages without repeats", async () => {
    const { projectId, apiKey } = await seedProject();
    const keys = `/v1/projects/${projectId}/api-keys`;
    for (const name of ["a", "b", "c", "d"]) {
      const k = await json<{ key_id: string }>(await call(keys, { key: apiKey, body: { name } }), 201);
      await json(await call(`${keys}/${k.key_id}`, { method: "DELETE", key: apiKey }), 200);
    }
    await json(
      await call("/v1/push/settings", { method: "PUT", key: apiKey, body: { public_topics: [] } }),
      200,
    );

    const all = await wholeLog(projectId, apiKey);
    expect(all).toHaveLength(9);
    expect(new Set(all.map((e) => e.id)).size).toBe(9);
    expect([...all.map((e) => e.id)].sort().reverse()).toEqual(all.map((e) => e.id));
    expect((await wholeLog(projectId, apiKey, "api_key.revoked")).map((e) => e.action)).toEqual(
      Array(4).fill("api_key.revoked"),
    );
    expect(await wholeLog(projectId, apiKey, "api_key.*")).toHaveLength(8);
    expect(await wholeLog(projectId, apiKey, "push.*")).toHaveLength(1);
    // A family matches whole words only: `api_keys.*` is not `api_key.*`.
    expect(await wholeLog(projectId, apiKey, "api_keyx.*")).toHaveLength(0);
    expect(await wholeLog(projectId, apiKey, "member.*")).toHaveLength(0);
  });

  it.each([
    ["an action with a wildcard inside", "?action=api_*.created", /^action: must be an action/],
    ["a LIKE pattern", "?action=api%25", /^action: must be an action/],
    [
      "a cursor it did not issue",
      "?cursor=WzEsMl0",
      "cursor: is not one this endpoint returned: pass next_cursor back as is",
    ],
    ["a limit of 0", "?limit=0", /^limit: Too small/],
    ["a limit of 101", "?limit=101", /^limit: Too big/],
  ])("refuses %s with a 400", async (_, query, message) => {
    const { projectId, apiKey } = await seedProject();
    await expectError(await call(logOf(projectId, query), { key: apiKey }), 400, "BAD_REQUEST", message);
  });

  it("is for admins: members, viewers and keys without the admin scope get 403; other projects 404", async () => {
    const { projectId, apiKey } = await seedProject();
    await json(await call(`/v1/projects/${projectId}/api-keys`, { key: apiKey, body: { name: "x" } }), 201);
    const owner = await seedMember(projectId, "owner");
    const admin = await seedMember(projectId, "admin");
    const member = await seedMember(projectId, "member");
    const viewer = await seedMember(projectId, "viewer");
    const messageKey = `pb_live_${newId("key").slice(4)}`;
    await insertApiKey(db, {
      id: newId("key"),
      projectId,
      name: "sdk",
      prefix: messageKey.slice(0, 12),
      digest: await sha256Hex(messageKey),
      now: Date.now(),
      scopes: "message,read",
    });
    for (const token of [owner.accessToken, admin.accessToken]) {
      const page = await json<Page>(
        await call(logOf(projectId), { headers: { authorization: `Bearer ${token}` } }),
        200,
      );
      expect(page.entries.length).toBeGreaterThan(0);
    }
    await expectError(
      await call(logOf(projectId), { headers: { authorization: `Bearer ${member.accessToken}` } }),
      403,
      "FORBIDDEN",
      "your role 'member' does not allow managing the project",
    );
    await expectError(
      await call(logOf(projectId), { headers: { authorization: `Bearer ${viewer.accessToken}` } }),
      403,
      "FORBIDDEN",
      "your role 'viewer' does not allow managing the project",
    );
    await expectError(
      await call(logOf(projectId), { key: messageKey }),
      403,
      "FORBIDDEN",
      "this API key lacks the 'admin' scope needed for managing the project",
    );

    const other = await seedProject();
    const outsider = await seedMember(other.projectId, "owner");
    await expectError(
      await call(logOf(projectId), { key: other.apiKey }),
      404,
      "NOT_FOUND",
      "project not found",
    );
    await expectError(
      await call(logOf(projectId), { headers: { authorization: `Bearer ${outsider.accessToken}` } }),
      404,
      "NOT_FOUND",
      "project not found",
    );
    // Their own log shows none of this project's entries.
    const theirs = await readLog(other.projectId, other.apiKey);
    expect(theirs.entries).toEqual([]);
    await expectError(await call(logOf(projectId)), 401, "UNAUTHORIZED");
  });
});
