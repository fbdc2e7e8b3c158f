// Walks every operation in /v1/openapi.json: without credentials, or with an expired or revoked
// key or an expired or ended session, each answers 401; with a key that lacks the scope or a
// viewer's session on a change, 403; with another project's key or session each answers 404 for
// this project's ids (or, for lists, shows none of them) and changes nothing. A new route is
// covered the day it is declared; a new public route or a new route that takes a body fails here
// until it is listed below.
import { env, exports } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { sign } from "hono/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { type AccessLevel, ROLE_GRANTS } from "../../src/access/levels";
import { call, db, json, type MessageBody, seedMember, seedProject } from "../helpers";
import { fillPath, loadOperations, type Operation } from "./openapi-walk";

const { spec, operations } = await loadOperations();
const levelOf = (op: Operation) =>
  (spec.paths[op.path]?.[op.method] as Record<string, unknown> | undefined)?.["x-pushbunny-access"] as
    | AccessLevel
    | undefined;

/** Operations that need no key, each for a reason (they are fuzzed and rate limited instead). */
const PUBLIC_OPERATIONS: Record<string, string> = {
  apiInfo: "service index: name, version, links to the docs",
  health: "load balancer health check",
  getPushServiceWorker: "the browser fetches the service worker script without a key",
  getProjectServiceWorker: "the same script under the project's own scope",
  getPushSubscribeScript: "the subscribe page's script",
  getPushSubscribeStyle: "the subscribe page's style sheet",
  getPushSubscribePage: "the page a site links to so a browser can subscribe (a project id is public)",
  getPublicVapidKey: "a browser needs the public key to subscribe",
  subscribeBrowser: "a browser subscribes itself: user ids need the tenant's HMAC, topics must be public",
  recordPushReceipt: "the service worker reports display and click; each receipt is signed for one delivery",
  signup: "anyone may create an account (rate limited per IP)",
  login: "a person proves who they are (throttled per email and per IP)",
  refreshSession: "the refresh token in the body is the credential",
  verifyEmail: "the single-use token from the mail is the credential",
  requestPasswordReset: "answers the same whether or not the account exists",
  resetPassword: "the single-use token from the mail is the credential",
  startGoogleSignIn: "begins the OIDC flow (state, nonce and PKCE bound to the browser)",
  googleSignInCallback: "the identity provider redirects here; state and PKCE are the credential",
  listDevOutbox: "local development only: a 404 in production and staging",
  receiveResendWebhook:
    "Resend posts delivery events; the Svix signature over the exact body is the credential",
  recordMetric:
    "the mobile SDKs send no key: the variant id is a token we signed, naming its project and impression (a project may require a key)",
  githubSetup:
    "GitHub redirects the browser here: the single-use state names the project, the person's OAuth code proves the installation",
  receiveGitHubWebhook:
    "GitHub posts App events; the X-Hub-Signature-256 HMAC over the exact body is the credential",
};

/**
 * Path parameters that name something in the caller's own namespace rather than a row id: the
 * attacker's `PUT /v1/ads/channels/facebook` connects the attacker's own Facebook. For these the
 * walk checks the victim's copy is untouched instead of expecting a 404.
 */
const OWN_NAMESPACE_PARAMS = new Set(["channel", "intent_id"]);

/**
 * A valid body per operation that takes one, so another project's call gets past validation and
 * proves the 404 comes from scoping. `{ids}` placeholders are the victim project's ids.
 */
const NO_BODY = Symbol("no body: the operation's body is optional and this sample sends none");
const SAMPLE_BODIES: Record<string, unknown> = {
  getMessage: { intent_id: "victim_intent", base_example: "Hi", locale: "en-US" },
  resolveMessage: { intent_id: "victim_intent", base_message: "Hi", locale: "en-US" },
  recordEvents: [],
  updateExperiment: { strategy: "sticky" },
  pauseExperiment: {},
  resumeExperiment: {},
  retireVariant: {},
  clearWinner: {},
  updatePushSettings: { public_topics: ["attacker-news"] },
  addVariant: { text: "Attacker copy" },
  declareWinner: { variant_id: "{variant_id}" },
  simulateExperiment: {},
  analyzeExperiment: {},
  iterateExperiment: {},
  connectAdChannel: NO_BODY,
  triggerAdSync: {},
  updateAdAlertRules: { rules: [{ kind: "spend_spike", enabled: false }] },
  createSubscription: { endpoint: "{endpoint}", keys: { p256dh: "{p256dh}", auth: "{auth}" } },
  updateSubscription: { enabled: false },
  sendNotification: {
    payload: { title: "x", body: "y" },
    target: { subscription_ids: ["{subscription_id}"] },
  },
  broadcastNotification: { payload: { title: "x", body: "y" } },
  createApiKey: { name: "attacker key" },
  updateApiKey: { name: "stolen" },
  rollApiKey: {},
  createProject: { name: "attacker project" },
  updateProject: { name: "stolen" },
  updateMember: { role: "viewer" },
  createInvite: { email: "attacker@example.com", role: "admin" },
  acceptInvite: { token: "pbi_not-a-real-token-000000000000000000000" },
  updateProjectLimits: { message: "1/minute" },
  createContact: { email: "attacker@example.com" },
  updateContact: { name: "stolen", status: "unsubscribed" },
  // Sent as JSON by this walk: every check here answers before the body is read.
  importContacts: "email\nattacker@example.com\n",
  createSegment: { name: "attacker", filter: { conditions: [{ field: "email", op: "exists" }] } },
  updateSegment: { name: "stolen" },
  addSuppression: { email: "victim@example.com" },
  createTemplate: { name: "attacker", subject: "Hi", html: "<p>Hi</p>" },
  updateTemplate: { name: "stolen" },
  previewTemplate: { contact_id: "{contact_id}" },
  writeEmailCopy: { what: "subject", brief: "attacker brief" },
  createCampaign: { name: "attacker", from: "a@example.com", template_id: "{template_id}" },
  updateCampaign: { name: "stolen" },
  scheduleCampaign: { send_at: "2030-01-01T00:00:00Z" },
  pauseCampaign: {},
  sendCampaign: {},
  testCampaign: { to: ["attacker@example.com"] },
  resumeCampaign: {},
  cancelCampaign: {},
  createWebhook: { url: "https://attacker.example.com/hook", events: ["email.bounced"] },
  updateWebhook: { url: "https://attacker.example.com/stolen", enabled: true },
  createWebExperiment: {
    key: "attacker-web",
    hypothesis: "attacker",
    target_type: "page",
    target: "/",
    segments: [
      { key: "control", name: "A", traffic_percent: 50 },
      { key: "b", name: "B", traffic_percent: 50 },
    ],
    primary_metric: "signup",
  },
  updateWebExperiment: { hypothesis: "stolen" },
  setWebExperimentPreviewUrl: { preview_url: "https://attacker.example.com/" },
  activateWebExperiment: {},
  finishWebExperiment: {},
  implementWebExperiment: {},
  recordWebExposure: { experiment: "{key}", anonymous_id: "attacker" },
  recordWebEvents: { events: [] },
};

const FAKE_PUSH = (env as unknown as { FAKE_PUSH_URL: string }).FAKE_PUSH_URL;
const victim = await seedProject({ challengerCount: 0 });
const attacker = await seedProject({ challengerCount: 0 });
const ids: Record<string, string> = {
  project: victim.projectId,
  project_id: victim.projectId,
  channel: "facebook",
  intent_id: "victim_intent",
};

/** A key of the victim's project with the given scopes, expiry and revocation. */
async function victimKey(opts: { scopes?: string; expiresAt?: number; revoked?: boolean }, record?: string) {
  const apiKey = `pb_test_${newId("key").slice(4)}`;
  const id = newId("key");
  await insertApiKey(db, {
    id,
    projectId: victim.projectId,
    name: "walk",
    prefix: apiKey.slice(0, 12),
    digest: await sha256Hex(apiKey),
    now: Date.now(),
    scopes: opts.scopes,
    expiresAt: opts.expiresAt,
  });
  if (opts.revoked) {
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), id).run();
  }
  if (record) ids[record] = id;
  return apiKey;
}

const expiredKey = await victimKey({ expiresAt: Date.now() - 1_000 });
const revokedKey = await victimKey({ revoked: true });
const messageKey = await victimKey({ scopes: "message" });
const readKey = await victimKey({ scopes: "read" }, "key_id");
const owner = await seedMember(victim.projectId, "owner");
const viewer = await seedMember(victim.projectId, "viewer");
const ended = await seedMember(victim.projectId, "owner");
await env.DB.prepare("UPDATE session_families SET revoked_at = ?, revoked_reason = 'logout' WHERE id = ?")
  .bind(Date.now(), ended.sessionId)
  .run();
const outsider = await seedMember(attacker.projectId, "owner");
ids.user_id = owner.userId;
// Signed with the deployment's secret and valid in every way but time.
const expiredToken = await sign(
  {
    iss: "http://localhost:8787",
    aud: "pushbunny-api",
    sub: owner.userId,
    email: owner.email,
    sid: owner.sessionId,
    iat: Math.floor(Date.now() / 1000) - 3_600,
    exp: Math.floor(Date.now() / 1000) - 2_700,
  },
  (env as unknown as { AUTH_SECRET: string }).AUTH_SECRET,
  "HS256",
);
const asVictim = { "x-project-id": victim.projectId };

/** A credential whose scopes cannot reach the level, with the scope the 403 should name. */
function keyLacking(level: AccessLevel): string {
  if (level === "message") return readKey;
  if (level === "read") return messageKey;
  if (level === "write" || level === "admin") return readKey;
  return victim.apiKey; // owner and session: no key reaches them
}
function fill(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/^\{(\w+)\}$/, (m, k: string) => ids[k] ?? m);
  if (Array.isArray(value)) return value.map(fill);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  }
  return value;
}

function request(op: Operation, key: string | null, extraHeaders: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extraHeaders };
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  const sample = SAMPLE_BODIES[op.operationId];
  if (op.hasBody && sample !== NO_BODY && (op.bodyRequired || sample !== undefined)) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(fill(SAMPLE_BODIES[op.operationId] ?? {}));
  }
  return exports.default.fetch(`http://pushbunny.test${fillPath(op.path, ids)}`, {
    method: op.method.toUpperCase(),
    headers,
    body,
  });
}

beforeAll(async () => {
  // The victim's data: an experiment with a variant, a proposal, a subscription, a notification,
  // a connected ad channel.
  const message = await json<MessageBody>(
    await call("/v1/message", {
      key: victim.apiKey,
      body: { intent_id: "victim_intent", base_example: "Victim copy", locale: "en-US" },
    }),
    200,
  );
  ids.experiment_id = message.experiment_id;
  ids.variant_id = message.variant_id;
  const proposal = await call(`/v1/experiments/${message.experiment_id}/iterate`, {
    key: victim.apiKey,
    body: {},
  });
  expect(proposal.status, await proposal.clone().text()).toBeLessThan(300);
  ids.proposal_id = String((await proposal.json<{ proposal_id?: string }>()).proposal_id);
  const fake = await (
    await fetch(`${FAKE_PUSH}/_control/subscriptions`, {
      method: "POST",
      body: JSON.stringify({ script: "ok" }),
    })
  ).json<{ endpoint: string; keys: { p256dh: string; auth: string } }>();
  Object.assign(ids, { endpoint: fake.endpoint, p256dh: fake.keys.p256dh, auth: fake.keys.auth });
  const sub = await json<{ subscription_id: string }>(
    await call("/v1/subscriptions", {
      key: victim.apiKey,
      body: { endpoint: fake.endpoint, keys: fake.keys, user_id: "victim-user" },
    }),
    201,
  );
  ids.subscription_id = sub.subscription_id;
  const sent = await call("/v1/notifications/send", {
    key: victim.apiKey,
    body: {
      payload: { title: "Victim", body: "secret" },
      target: { subscription_ids: [sub.subscription_id] },
    },
  });
  expect(sent.status, await sent.clone().text()).toBeLessThan(300);
  ids.notification_id = (await sent.json<{ notification_id: string }>()).notification_id;
  const channel = await call("/v1/ads/channels/facebook", { key: victim.apiKey, method: "PUT" });
  expect(channel.status, await channel.clone().text()).toBeLessThan(300);
  const contact = await json<{ contact_id: string }>(
    await call("/v1/contacts", { key: victim.apiKey, body: { email: "victim@example.com", name: "Victim" } }),
    201,
  );
  ids.contact_id = contact.contact_id;
  const segment = await json<{ segment_id: string }>(
    await call("/v1/segments", {
      key: victim.apiKey,
      body: { name: "victims", filter: { conditions: [{ field: "email", op: "exists" }] } },
    }),
    201,
  );
  ids.segment_id = segment.segment_id;
  const template = await json<{ template_id: string }>(
    await call("/v1/templates", {
      key: victim.apiKey,
      body: { name: "victims", subject: "Hi {{name}}", html: "<p>Hi {{name}}</p>" },
    }),
    201,
  );
  ids.template_id = template.template_id;
  const campaign = await json<{ campaign_id: string }>(
    await call("/v1/campaigns", {
      key: victim.apiKey,
      body: { name: "victims", from: "news@example.com", template_id: template.template_id },
    }),
    201,
  );
  ids.campaign_id = campaign.campaign_id;
  const upload = await json<{ import_id: string }>(
    await call("/v1/contacts/imports", {
      key: victim.apiKey,
      raw: "email\nvictim2@example.com\n",
      headers: { "content-type": "text/csv" },
    }),
    202,
  );
  ids.import_id = upload.import_id;
  const receiver = (env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL;
  const webhook = await json<{ webhook_id: string }>(
    await call("/v1/webhooks", {
      key: victim.apiKey,
      body: { url: `${receiver}/hook/victim`, events: ["email.bounced"] },
    }),
    201,
  );
  ids.webhook_id = webhook.webhook_id;
  const attempt = await json<{ delivery_id: string }>(
    await call(`/v1/webhooks/${webhook.webhook_id}/test`, { key: victim.apiKey, method: "POST" }),
    200,
  );
  ids.delivery_id = attempt.delivery_id;
  const web = await json<{ key: string }>(
    await call("/v1/web-experiments", {
      key: victim.apiKey,
      body: {
        key: "victim-web",
        hypothesis: "victims convert",
        target_type: "page",
        target: "/pricing",
        segments: [
          { key: "control", name: "Today", traffic_percent: 50 },
          { key: "green", name: "Green", traffic_percent: 50 },
        ],
        primary_metric: "signup",
      },
    }),
    201,
  );
  ids.key = web.key;
});

const isPublic = (op: Operation) => op.public || op.operationId in PUBLIC_OPERATIONS;
const secured = operations.filter((op) => !isPublic(op));
const scopedById = secured.filter(
  (op) => op.pathParams.length > 0 && op.pathParams.every((p) => !OWN_NAMESPACE_PARAMS.has(p)),
);
const label = (op: Operation) => `${op.method.toUpperCase()} ${op.path} (${op.operationId})`;

describe(`route security: ${operations.length} operations from /v1/openapi.json`, () => {
  it("every public operation is one we chose to make public", () => {
    const unexpected = operations.filter((op) => op.public && !(op.operationId in PUBLIC_OPERATIONS));
    expect(
      Object.keys(PUBLIC_OPERATIONS).filter((id) => !operations.some((op) => op.operationId === id)),
    ).toEqual([]);
    expect(unexpected.map(label)).toEqual([]);
  });

  it("every operation that takes a body has a sample body here", () => {
    const missing = secured.filter((op) => op.bodyRequired && !(op.operationId in SAMPLE_BODIES));
    expect(missing.map(label)).toEqual([]);
  });

  it.each(secured.map((op) => [label(op), op] as const))(
    "%s answers 401 without credentials",
    async (_, op) => {
      const res = await request(op, null);
      const text = await res.text();
      expect(res.status, text).toBe(401);
      expect(JSON.parse(text).error.code).toBe("UNAUTHORIZED");
    },
  );

  it.each(scopedById.map((op) => [label(op), op] as const))(
    "%s answers 404 to another project's key for this project's ids",
    async (_, op) => {
      const res = await request(op, attacker.apiKey);
      const text = await res.text();
      expect(res.status, text).toBe(404);
      expect(JSON.parse(text).error.code).toBe("NOT_FOUND");
      for (const value of Object.values(ids)) {
        if (value.length > 8 && !text.includes(`'${value}'`)) expect(text).not.toContain(value);
      }
    },
  );

  it.each(
    secured
      .filter((op) => op.pathParams.length === 0 && op.method === "get")
      .map((op) => [label(op), op] as const),
  )("%s shows another project's key none of this project's data", async (_, op) => {
    const res = await request(op, attacker.apiKey);
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    for (const key of ["experiment_id", "variant_id", "subscription_id", "notification_id", "endpoint"]) {
      const value = ids[key];
      if (value) expect(text, `${key} leaked`).not.toContain(value);
    }
    expect(text).not.toContain("victim_intent");
  });

  it.each(
    secured.flatMap((op) =>
      (
        [
          ["an expired key", expiredKey, {}],
          ["a revoked key", revokedKey, {}],
          ["an expired access token", expiredToken, asVictim],
          ["an ended session", ended.accessToken, asVictim],
        ] as const
      ).map(
        ([what, credential, headers]) => [`${label(op)} refuses ${what}`, op, credential, headers] as const,
      ),
    ),
  )("%s with 401", async (_, op, credential, headers) => {
    const res = await request(op, credential, headers);
    const text = await res.text();
    expect(res.status, text).toBe(401);
    expect(JSON.parse(text).error.code).toBe("UNAUTHORIZED");
  });

  it.each(
    secured
      .filter((op) => levelOf(op) !== undefined)
      .map((op) => [label(op), op, levelOf(op) as AccessLevel] as const),
  )("%s answers 403 to a key without the scope", async (_, op, level) => {
    const res = await request(op, keyLacking(level));
    const text = await res.text();
    expect(res.status, text).toBe(403);
    expect(JSON.parse(text).error.code).toBe("FORBIDDEN");
  });

  it.each(
    secured
      .filter((op) => {
        const level = levelOf(op);
        return level !== undefined && level !== "session" && !ROLE_GRANTS.viewer.includes(level);
      })
      .map((op) => [label(op), op] as const),
  )("%s answers 403 to a viewer", async (_, op) => {
    const res = await request(op, viewer.accessToken, asVictim);
    const text = await res.text();
    expect(res.status, text).toBe(403);
    expect(JSON.parse(text).error.code).toBe("FORBIDDEN");
  });

  it.each(scopedById.filter((op) => levelOf(op) !== "session").map((op) => [label(op), op] as const))(
    "%s answers 404 to another project's member, whichever project they name",
    async (_, op) => {
      for (const headers of [{ "x-project-id": attacker.projectId }, asVictim]) {
        const res = await request(op, outsider.accessToken, headers);
        const text = await res.text();
        expect(res.status, text).toBe(404);
        expect(JSON.parse(text).error.code).toBe("NOT_FOUND");
      }
    },
  );

  it("the attacker's calls changed nothing the victim owns", async () => {
    const experiment = await json<{ status: string; variants: unknown[]; strategy: string }>(
      await call(`/v1/experiments/${ids.experiment_id}`, { key: victim.apiKey }),
      200,
    );
    expect(experiment.status).toBe("running");
    expect(experiment.strategy).not.toBe("sticky");
    expect(experiment.variants).toHaveLength(1);
    const sub = await json<{ enabled: boolean; user_id: string }>(
      await call(`/v1/subscriptions/${ids.subscription_id}`, { key: victim.apiKey }),
      200,
    );
    expect(sub).toMatchObject({ enabled: true, user_id: "victim-user" });
    const channels = await json<{ channels: { channel: string; source: string }[] }>(
      await call("/v1/ads/channels", { key: victim.apiKey }),
      200,
    );
    expect(channels.channels.map((c) => c.channel)).toContain("facebook");
    const key = await env.DB.prepare("SELECT name, revoked_at, expires_at FROM api_keys WHERE id = ?")
      .bind(ids.key_id)
      .first();
    expect(key).toEqual({ name: "walk", revoked_at: null, expires_at: null });
    const project = await env.DB.prepare("SELECT name, deleted_at, limits FROM projects WHERE id = ?")
      .bind(victim.projectId)
      .first();
    expect(project).toEqual({ name: `test ${victim.projectId}`, deleted_at: null, limits: null });
    const roles = await env.DB.prepare("SELECT role FROM project_members WHERE project_id = ? ORDER BY role")
      .bind(victim.projectId)
      .all<{ role: string }>();
    expect(roles.results.map((r) => r.role)).toEqual(["owner", "owner", "viewer"]);
    const invites = await env.DB.prepare("SELECT COUNT(*) AS n FROM invites WHERE project_id = ?")
      .bind(victim.projectId)
      .first<{ n: number }>();
    expect(invites?.n).toBe(0);
    const contact = await env.DB.prepare("SELECT name, status FROM contacts WHERE id = ?")
      .bind(ids.contact_id)
      .first();
    expect(contact).toEqual({ name: "Victim", status: "subscribed" });
    const segment = await env.DB.prepare("SELECT name FROM segments WHERE id = ?")
      .bind(ids.segment_id)
      .first();
    expect(segment).toEqual({ name: "victims" });
    const template = await env.DB.prepare("SELECT name FROM email_templates WHERE id = ?")
      .bind(ids.template_id)
      .first();
    expect(template).toEqual({ name: "victims" });
    const campaign = await env.DB.prepare("SELECT name, status FROM email_campaigns WHERE id = ?")
      .bind(ids.campaign_id)
      .first();
    expect(campaign).toEqual({ name: "victims", status: "draft" });
  });
});
