import type { Context, Hono } from "hono";
import { API_KEY_SCOPES } from "../../access/levels";
import { AppError } from "../../errors";
import { createApiKey } from "../../services/api-keys/create-api-key";
import { getApiKey } from "../../services/api-keys/get-api-key";
import { type ApiKey, GRACE_SECONDS, type IssuedApiKey } from "../../services/api-keys/lib/api-key";
import { listApiKeys } from "../../services/api-keys/list-api-keys";
import { revokeApiKey } from "../../services/api-keys/revoke-api-key";
import { rollApiKey } from "../../services/api-keys/roll-api-key";
import { page, projectOf, sessionOf } from "../context";
import { when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { FirstMessage } from "./empty";
import { issuesOf, SettingsNav } from "./settings-nav";

const KEY_ID = /^key_[A-Za-z0-9_-]{1,64}$/;

/** How long a rolled key's old secret may keep working: the service's default first. */
const GRACE_CHOICES: { seconds: number; label: string }[] = [
  { seconds: GRACE_SECONDS.default, label: "old key works 1 more day" },
  { seconds: 3_600, label: "old key works 1 more hour" },
  { seconds: GRACE_SECONDS.max, label: "old key works 7 more days" },
  { seconds: 0, label: "old key stops now" },
];

/** A key the service would roll: working, not already rolled, not a person's login key. */
const rollable = (k: ApiKey) => k.status === "active" && k.rolledTo === null && k.loginUserId === null;

function statusText(k: ApiKey): string {
  if (k.status === "active" && k.rolledTo !== null) return `rolled; works until ${when(k.expiresAt)} UTC`;
  return k.status;
}

const SCOPE_HELP: Record<string, string> = {
  message: "send messages, events and subscriptions (what an SDK needs)",
  read: "read experiments and stats",
  admin: "manage the project (never ship it in an app)",
};

function KeyRow(p: { projectId: string; k: ApiKey; csrf: string }) {
  const k = p.k;
  return (
    <tr id={`key-${k.id}`}>
      <th scope="row">{k.name}</th>
      <td>
        <code>{k.prefix}…</code>
      </td>
      <td>{k.scopes.join(", ")}</td>
      <td>{k.mode}</td>
      <td>{statusText(k)}</td>
      <td class="hide-narrow">{when(k.lastUsedAt)}</td>
      <td>
        {rollable(k) ? (
          <form method="post" action={`/app/p/${p.projectId}/settings/keys/${k.id}/roll`}>
            <Csrf token={p.csrf} />
            <select name="grace_seconds" aria-label={`When the old secret of ${k.name} stops working`}>
              {GRACE_CHOICES.map((g) => (
                <option value={String(g.seconds)}>{g.label}</option>
              ))}
            </select>{" "}
            <button type="submit" class="secondary" aria-label={`Roll ${k.name}`}>
              Roll
            </button>
          </form>
        ) : null}
        {k.status === "active" ? (
          <form
            method="post"
            action={`/app/p/${p.projectId}/settings/keys/${k.id}/revoke`}
            hx-post={`/app/p/${p.projectId}/settings/keys/${k.id}/revoke`}
            hx-target={`#key-${k.id}`}
            hx-swap="outerHTML"
            hx-confirm={`Revoke ${k.name}? Apps using it stop working at once.`}
          >
            <Csrf token={p.csrf} />
            <button type="submit" class="danger" aria-label={`Revoke ${k.name}`}>
              Revoke
            </button>
          </form>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}

async function showKeys(
  c: Context<DashEnv>,
  extra: {
    created?: IssuedApiKey;
    rolled?: { key: IssuedApiKey; old: ApiKey };
    error?: string;
    rollError?: string;
  },
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const session = sessionOf(c);
  const { projectId } = await projectOf(c, "admin");
  const listed = await listApiKeys({ ctx: c.get("ctx"), projectId, input: { limit: 100 } });
  return page(
    c,
    {
      title: "API keys",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={c.get("project").role} current="keys" />
          <h1>API keys</h1>
          {extra.rollError ? (
            <p class="error panel" role="alert">
              {extra.rollError}
            </p>
          ) : null}
          {extra.rolled ? (
            <section class="panel notice" aria-labelledby="rolled-title">
              <h2 id="rolled-title">Key “{extra.rolled.key.name}” rolled</h2>
              <p>Copy the new secret now: this is the only time it is shown. Only its digest is stored.</p>
              <p class="secret" id="new-key-secret">
                {extra.rolled.key.secret}
              </p>
              <p id="old-key-until">
                {extra.rolled.old.status === "active"
                  ? `The old secret (${extra.rolled.old.prefix}…) keeps working until ${when(extra.rolled.old.expiresAt)} UTC: deploy the new one before then.`
                  : `The old secret (${extra.rolled.old.prefix}…) has stopped working.`}
              </p>
            </section>
          ) : null}
          {extra.created ? (
            <section class="panel notice" aria-labelledby="created-title">
              <h2 id="created-title">Key “{extra.created.name}” created</h2>
              <p>Copy it now: this is the only time it is shown. Only its digest is stored.</p>
              <p class="secret" id="new-key-secret">
                {extra.created.secret}
              </p>
              <FirstMessage
                origin={new URL(c.req.url).origin}
                projectId={projectId}
                keysHref={`/app/p/${projectId}/settings/keys`}
                secret={extra.created.secret}
              />
            </section>
          ) : null}
          <section class="panel" aria-labelledby="create-title">
            <h2 id="create-title">Create a key</h2>
            {extra.error ? (
              <p class="error" role="alert">
                {extra.error}
              </p>
            ) : null}
            <form class="stack" method="post" action={`/app/p/${projectId}/settings/keys`}>
              <Csrf token={session.csrf} />
              <label>
                Name
                <input name="name" required maxlength={100} placeholder="iOS app" />
              </label>
              <fieldset>
                <legend>Scopes</legend>
                {API_KEY_SCOPES.map((s) => (
                  <label class="check">
                    <input type="checkbox" name="scopes" value={s} checked={s === "message"} /> {s}:{" "}
                    {SCOPE_HELP[s]}
                  </label>
                ))}
              </fieldset>
              <label>
                Mode
                <select name="mode">
                  <option value="live">live</option>
                  <option value="test">test (message and read only)</option>
                </select>
              </label>
              <button type="submit">Create key</button>
            </form>
          </section>
          <h2>Keys</h2>
          {listed.keys.length === 0 ? (
            <p class="panel">No keys yet: create one above for your app or server.</p>
          ) : (
            <ScrollBox label="API keys table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-narrow">
                      Last used (UTC)
                    </th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {listed.keys.map((k) => (
                    <KeyRow projectId={projectId} k={k} csrf={session.csrf} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
        </>
      ),
    },
    status,
  );
}

export function registerKeyPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/settings/keys", (c) => showKeys(c, {}));

  dash.post("/p/:project/settings/keys", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "admin");
    const form = await c.req.parseBody({ all: true });
    const scopes = ([] as unknown[])
      .concat(form.scopes ?? [])
      .filter((s): s is string => typeof s === "string");
    try {
      const created = await createApiKey({
        ctx: c.get("ctx"),
        projectId,
        actor: `user:${session.userId}`,
        callerKeyId: null,
        input: {
          name: typeof form.name === "string" ? form.name : "",
          scopes: scopes.length > 0 ? scopes : ["message"],
          mode: form.mode === "test" ? "test" : "live",
        },
      });
      // Answered in place, never redirected: the secret must not land in a URL or a cached page.
      return showKeys(c, { created });
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
        const message = err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || err.message;
        return showKeys(c, { error: message }, err.status);
      }
      throw err;
    }
  });

  dash.post("/p/:project/settings/keys/:key/roll", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "admin");
    const keyId = c.req.param("key");
    if (!KEY_ID.test(keyId)) return c.redirect(`/app/p/${projectId}/settings/keys`, 303);
    const form = await c.req.parseBody();
    // A blank field is no choice (the service's default), not "0 seconds".
    const grace =
      typeof form.grace_seconds === "string" && form.grace_seconds.trim() !== ""
        ? Number(form.grace_seconds)
        : Number.NaN;
    const ctx = c.get("ctx");
    try {
      const key = await rollApiKey({
        ctx,
        projectId,
        actor: `user:${session.userId}`,
        callerKeyId: null,
        input: { keyId, graceSeconds: Number.isFinite(grace) ? grace : undefined },
      });
      // The old key as the service left it, for the time its secret keeps working.
      const old = await getApiKey({ ctx, projectId, input: { keyId } });
      // Answered in place, never redirected: the secret must not land in a URL or a cached page.
      return showKeys(c, { rolled: { key, old } });
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
        return showKeys(c, { rollError: issuesOf(err) }, err.status);
      }
      throw err;
    }
  });

  dash.post("/p/:project/settings/keys/:key/revoke", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "admin");
    const keyId = c.req.param("key");
    if (!KEY_ID.test(keyId)) return c.redirect(`/app/p/${projectId}/settings/keys`, 303);
    const revoked = await revokeApiKey({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      callerKeyId: null,
      input: { keyId },
    });
    if (c.req.header("hx-request") === "true") {
      const row = await (<KeyRow projectId={projectId} k={revoked} csrf={session.csrf} />);
      return c.html(String(row));
    }
    return c.redirect(`/app/p/${projectId}/settings/keys`, 303);
  });
}
