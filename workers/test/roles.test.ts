// Role × operation, table-driven. Part one walks every project-scoped operation in
// /v1/openapi.json with a person of each role and checks the answer against ROLE_GRANTS: 403
// exactly when the role lacks the operation's level, never otherwise. Part two pins the
// management operations' declared levels and what each role (and each API-key scope) actually
// gets from them, verb-level rules included, so a regression in a declaration or a verb fails.
import { env, exports } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import { type AccessLevel, type ApiKeyScope, ROLE_GRANTS, ROLES, type Role } from "../src/access/levels";
import { fillPath, loadOperations, type Operation } from "./hardening/openapi-walk";
import { asMember, call, db, json, type MessageBody, seedMember, seedProject } from "./helpers";

const { spec, operations } = await loadOperations();
const PROJECT_LEVELS: readonly AccessLevel[] = ["message", "read", "write", "admin", "owner"];
const levelOf = (op: Operation) =>
  (spec.paths[op.path]?.[op.method] as Record<string, unknown> | undefined)?.["x-pushbunny-access"] as
    | AccessLevel
    | undefined;
const label = (op: Operation) => `${op.method.toUpperCase()} ${op.path} (${op.operationId})`;

/**
 * A body that passes validation where cheap to build, so the call reaches its verb (where a
 * role rule could also answer 403). `{name}` placeholders are the role's fixture ids; an
 * operation missing here gets `{}` (a 400 is fine: only 403 is judged).
 */
const NO_BODY = Symbol("send no body");
const BODIES: Record<string, unknown> = {
  getMessage: { intent_id: "roles_walk", base_example: "Hi there", locale: "en-US" },
  recordEvents: [],
  updateExperiment: { strategy: "sticky" },
  addVariant: { text: "Copy from the role walk" },
  declareWinner: { variant_id: "{variant_id}" },
  updatePushSettings: { public_topics: ["news"] },
  updateSubscription: { enabled: false },
  sendNotification: { payload: { title: "x", body: "y" }, target: { subscription_ids: ["sub_unknown"] } },
  broadcastNotification: { payload: { title: "x", body: "y" } },
  connectAdChannel: NO_BODY,
  updateProject: { name: "Renamed by the role walk" },
  // A no-op on the fixture's plain member: admins get 200, the others 403 from the level.
  updateMember: { role: "member" },
  createInvite: { email: "walk-invitee@example.com", role: "member" },
};

/** Destructive operations, run one after another after everything else, in this order. */
const LAST = ["deleteProject", "removeMember"];

interface Fixture {
  role: Role;
  projectId: string;
  headers: Record<string, string>;
  ids: Record<string, string>;
}

async function fixtureFor(role: Role): Promise<Fixture> {
  const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
  const caller = await seedMember(projectId, role);
  const target = await seedMember(projectId, "member");
  const m = await json<MessageBody>(
    await call("/v1/message", { key: apiKey, body: { intent_id: "roles_fixture", base_example: "Hello" } }),
    200,
  );
  return {
    role,
    projectId,
    headers: asMember(caller.accessToken, projectId),
    ids: {
      project_id: projectId,
      experiment_id: m.experiment_id,
      variant_id: m.variant_id,
      channel: "facebook",
      // updateMember acts on the plain member; removeMember is the caller leaving (anyone may).
      user_id: target.userId,
      self_id: caller.userId,
    },
  };
}

function fill(value: unknown, ids: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(/^\{(\w+)\}$/, (m, k: string) => ids[k] ?? m);
  if (Array.isArray(value)) return value.map((v) => fill(v, ids));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, ids)]));
  }
  return value;
}

async function send(op: Operation, f: Fixture) {
  const ids = op.operationId === "removeMember" ? { ...f.ids, user_id: f.ids.self_id ?? "" } : f.ids;
  const headers = { ...f.headers };
  let body: string | undefined;
  const sample = BODIES[op.operationId];
  if (op.hasBody && sample !== NO_BODY && (op.bodyRequired || sample !== undefined)) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(fill(sample ?? {}, ids));
  }
  const res = await exports.default.fetch(
    `http://pushbunny.test${fillPath(op.path, { ...Object.fromEntries(op.pathParams.map((p) => [p, `${p.replace(/_id$/, "")}_unknown`])), ...ids })}`,
    { method: op.method.toUpperCase(), headers, body },
  );
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text: text.slice(0, 200) };
}

const walked = operations.filter((op) => {
  const level = levelOf(op);
  return level !== undefined && PROJECT_LEVELS.includes(level);
});

describe(`role × operation: ${walked.length} project-scoped operations from /v1/openapi.json`, () => {
  it("walks the management operations too", () => {
    const ids = walked.map((op) => op.operationId);
    for (const id of ["getProject", "updateProject", "deleteProject", "listMembers", "updateMember"]) {
      expect(ids).toContain(id);
    }
    for (const id of ["removeMember", "createInvite", "listInvites", "revokeInvite"])
      expect(ids).toContain(id);
    expect(walked.length).toBeGreaterThan(40);
  });

  it.each(ROLES.map((r) => [r] as const))(
    "%s: 403 exactly when ROLE_GRANTS lacks the operation's level",
    async (role) => {
      const f = await fixtureFor(role);
      const grants = ROLE_GRANTS[role];
      const wrong: string[] = [];
      const judge = async (op: Operation) => {
        const level = levelOf(op) as AccessLevel;
        const r = await send(op, f);
        const denied = !grants.includes(level);
        if (r.status === 429) wrong.push(`${label(op)}: rate limited, cannot judge (${r.text})`);
        else if (r.status >= 500) wrong.push(`${label(op)}: ${r.status} ${r.text}`);
        else if (denied && (r.status !== 403 || r.code !== "FORBIDDEN")) {
          wrong.push(`${label(op)} needs '${level}': expected 403, got ${r.status} ${r.text}`);
        } else if (!denied && r.status === 403) {
          wrong.push(`${label(op)} needs '${level}', which ${role} has: got 403 ${r.text}`);
        }
      };
      const first = walked.filter((op) => !LAST.includes(op.operationId));
      for (let i = 0; i < first.length; i += 8) await Promise.all(first.slice(i, i + 8).map(judge));
      for (const id of LAST) {
        for (const op of walked.filter((o) => o.operationId === id)) await judge(op);
      }
      expect(wrong).toEqual([]);
    },
  );
});

/** What each management operation declares (ADR 0014); a changed declaration fails here. */
const DECLARED: Record<string, AccessLevel | "session"> = {
  createProject: "session",
  listProjects: "session",
  getProject: "read",
  updateProject: "admin",
  deleteProject: "owner",
  listMembers: "read",
  updateMember: "admin",
  // Any member may leave; removing someone else is checked in the verb (see the matrix below).
  removeMember: "read",
  createInvite: "admin",
  listInvites: "admin",
  revokeInvite: "admin",
  acceptInvite: "session",
  createApiKey: "admin",
  listApiKeys: "admin",
  getApiKey: "admin",
  updateApiKey: "admin",
  revokeApiKey: "admin",
  rollApiKey: "admin",
  listAuditLog: "admin",
  getPushIdentitySecret: "admin",
  rotatePushIdentitySecret: "admin",
  rotateVapidKey: "admin",
};

type Caller = Role | `key:${ApiKeyScope}`;

interface Setup {
  projectId: string;
  /** The caller's own user id (null for a key). */
  self: string | null;
  member: string;
  coOwner: string | null;
  inviteId: string;
}

interface MatrixCase {
  name: string;
  /** A second owner in the project (so owners can be demoted or removed by an owner). */
  coOwner?: boolean;
  request: (s: Setup) => { method: string; path: string; body?: unknown } | null;
  expect: Partial<Record<Caller, number>>;
}

const ALL = (status: number) => ({ viewer: status, member: status, admin: status, owner: status });
const ADMINS = (yes: number) => ({ viewer: 403, member: 403, admin: yes, owner: yes });
const KEYS = (message: number, read: number, admin: number) => ({
  "key:message": message,
  "key:read": read,
  "key:admin": admin,
});

const p = (s: Setup, rest = "") => `/v1/projects/${s.projectId}${rest}`;

const MATRIX: MatrixCase[] = [
  {
    name: "getProject",
    request: (s) => ({ method: "GET", path: p(s) }),
    expect: { ...ALL(200), ...KEYS(403, 200, 200) },
  },
  {
    name: "updateProject",
    request: (s) => ({ method: "PATCH", path: p(s), body: { name: "Matrix" } }),
    expect: { ...ADMINS(200), ...KEYS(403, 403, 200) },
  },
  {
    name: "deleteProject",
    request: (s) => ({ method: "DELETE", path: p(s) }),
    expect: { viewer: 403, member: 403, admin: 403, owner: 204, ...KEYS(403, 403, 403) },
  },
  {
    name: "listMembers",
    request: (s) => ({ method: "GET", path: p(s, "/members") }),
    expect: { ...ALL(200), ...KEYS(403, 200, 200) },
  },
  {
    name: "updateMember: member → viewer",
    request: (s) => ({ method: "PATCH", path: p(s, `/members/${s.member}`), body: { role: "viewer" } }),
    expect: { ...ADMINS(200), ...KEYS(403, 403, 200) },
  },
  {
    name: "updateMember: member → owner",
    request: (s) => ({ method: "PATCH", path: p(s, `/members/${s.member}`), body: { role: "owner" } }),
    expect: { viewer: 403, member: 403, admin: 403, owner: 200, ...KEYS(403, 403, 403) },
  },
  {
    name: "updateMember: owner → admin",
    coOwner: true,
    request: (s) => ({ method: "PATCH", path: p(s, `/members/${s.coOwner}`), body: { role: "admin" } }),
    expect: { viewer: 403, member: 403, admin: 403, owner: 200, ...KEYS(403, 403, 403) },
  },
  {
    name: "removeMember: someone else",
    request: (s) => ({ method: "DELETE", path: p(s, `/members/${s.member}`) }),
    expect: { ...ADMINS(204), ...KEYS(403, 403, 204) },
  },
  {
    name: "removeMember: an owner",
    coOwner: true,
    request: (s) => ({ method: "DELETE", path: p(s, `/members/${s.coOwner}`) }),
    expect: { viewer: 403, member: 403, admin: 403, owner: 204, ...KEYS(403, 403, 403) },
  },
  {
    name: "removeMember: leaving (the sole owner cannot)",
    request: (s) => (s.self ? { method: "DELETE", path: p(s, `/members/${s.self}`) } : null),
    expect: { viewer: 204, member: 204, admin: 204, owner: 409 },
  },
  {
    name: "createInvite: member",
    request: (s) => ({
      method: "POST",
      path: p(s, "/invites"),
      body: { email: "m@example.com", role: "member" },
    }),
    expect: { ...ADMINS(201), ...KEYS(403, 403, 201) },
  },
  {
    name: "createInvite: owner",
    request: (s) => ({
      method: "POST",
      path: p(s, "/invites"),
      body: { email: "o@example.com", role: "owner" },
    }),
    expect: { viewer: 403, member: 403, admin: 403, owner: 201, ...KEYS(403, 403, 403) },
  },
  {
    name: "listInvites",
    request: (s) => ({ method: "GET", path: p(s, "/invites") }),
    expect: { ...ADMINS(200), ...KEYS(403, 403, 200) },
  },
  {
    name: "revokeInvite",
    request: (s) => ({ method: "DELETE", path: p(s, `/invites/${s.inviteId}`) }),
    expect: { ...ADMINS(204), ...KEYS(403, 403, 204) },
  },
];

async function setupFor(c: MatrixCase, caller: Caller) {
  const { projectId } = await seedProject({ challengerCount: 0 });
  const [member, coOwner] = await Promise.all([
    seedMember(projectId, "member"),
    c.coOwner ? seedMember(projectId, "owner") : Promise.resolve(null),
  ]);
  const inviteId = newId("inv");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO invites (id, project_id, email, role, digest, invited_by, created_at, expires_at) VALUES (?, ?, 'pending@example.com', 'member', ?, 'test', ?, ?)",
  )
    .bind(inviteId, projectId, await sha256Hex(inviteId), now, now + 86_400_000)
    .run();
  let headers: Record<string, string>;
  let self: string | null = null;
  if (caller.startsWith("key:")) {
    const apiKey = `pb_test_${newId("key").slice(4)}`;
    await insertApiKey(db, {
      id: newId("key"),
      projectId,
      name: "matrix",
      prefix: apiKey.slice(0, 12),
      digest: await sha256Hex(apiKey),
      now,
      scopes: caller.slice(4),
    });
    headers = { authorization: `Bearer ${apiKey}` };
  } else {
    const person = await seedMember(projectId, caller as Role);
    self = person.userId;
    headers = asMember(person.accessToken, projectId);
  }
  const setup: Setup = { projectId, self, member: member.userId, coOwner: coOwner?.userId ?? null, inviteId };
  return { setup, headers };
}

describe("management operations: declared levels and the role × operation matrix", () => {
  it("each declares the level ADR 0014 gives it", () => {
    const declared = Object.fromEntries(
      operations.filter((op) => op.operationId in DECLARED).map((op) => [op.operationId, levelOf(op)]),
    );
    expect(declared).toEqual(DECLARED);
  });

  const rows = MATRIX.flatMap((c) =>
    (Object.entries(c.expect) as [Caller, number][]).map(
      ([caller, status]) => [c.name, caller, status, c] as const,
    ),
  );

  it(`answers as expected in all ${rows.length} cells`, async () => {
    const wrong: string[] = [];
    for (let i = 0; i < rows.length; i += 8) {
      await Promise.all(
        rows.slice(i, i + 8).map(async ([name, caller, status, c]) => {
          const { setup, headers } = await setupFor(c, caller);
          const req = c.request(setup);
          if (!req) return;
          const res = await call(req.path, { method: req.method, headers, body: req.body });
          if (res.status !== status)
            wrong.push(`${name} as ${caller}: expected ${status}, got ${res.status} ${await res.text()}`);
        }),
      );
    }
    expect(wrong).toEqual([]);
  });
});
