// Issue 16 §1, audiences: contacts (CRUD, scoping, normalisation, suppression), CSV imports through
// R2 and the jobs queue, segments compiled to SQL, and the public unsubscribe and preferences pages.
import { env, exports } from "cloudflare:workers";
import { insertContactImport } from "@pushbunny/db";
import { signUnsubscribeToken } from "@pushbunny/email";
import { describe, expect, it } from "vitest";
import { buildContext } from "../src/infra/build-context";
import { processContactImport } from "../src/services/contacts/process-import";
import { asMember, call, db, eventually, expectError, json, seedMember, seedProject } from "./helpers";

interface ContactBody {
  contact_id: string;
  email: string;
  name: string | null;
  locale: string | null;
  time_zone: string | null;
  attributes: Record<string, unknown>;
  status: string;
}
interface ImportBody {
  import_id: string;
  status: string;
  rows_done: number;
  rows_total: number;
  inserted: number;
  updated: number;
  skipped: number;
  suppressed: number;
  duplicates: number;
  error_count: number;
  failure: string | null;
}

const createContact = async (key: string, body: Record<string, unknown>) =>
  json<ContactBody>(await call("/v1/contacts", { key, body }), 201);

const upload = (key: string, csv: string) =>
  call("/v1/contacts/imports", { key, raw: csv, headers: { "content-type": "text/csv" } });

async function importCsv(key: string, csv: string): Promise<ImportBody> {
  const started = await json<ImportBody>(await upload(key, csv), 202);
  return eventually(async () => {
    const state = await json<ImportBody>(
      await call(`/v1/contacts/imports/${started.import_id}`, { key }),
      200,
    );
    expect(state.status, JSON.stringify(state)).toBe("done");
    return state;
  }, 20_000);
}

async function contactRow(projectId: string, email: string) {
  return env.DB.prepare("SELECT * FROM contacts WHERE project_id = ? AND email = ?")
    .bind(projectId, email)
    .first<{ id: string; status: string; name: string | null; attributes: string }>();
}

async function suppressionOf(projectId: string, email: string) {
  return env.DB.prepare("SELECT reason, source FROM suppressions WHERE project_id = ? AND email = ?")
    .bind(projectId, email)
    .first<{ reason: string; source: string }>();
}

describe("contacts", () => {
  it("creates with a normalised address, is unique per project, reads, updates, lists and deletes", async () => {
    const { apiKey, projectId } = await seedProject();
    const other = await seedProject();
    const ada = await createContact(apiKey, {
      email: "  Ada.Lovelace@Example.COM ",
      name: "Ada",
      locale: "en-gb",
      time_zone: "Europe/London",
      attributes: { plan: "pro", seats: 5, beta: true },
    });
    expect(ada).toMatchObject({
      email: "ada.lovelace@example.com",
      locale: "en-GB",
      time_zone: "Europe/London",
      status: "subscribed",
      attributes: { plan: "pro", seats: 5, beta: true },
    });
    expect(ada.contact_id).toMatch(/^ctc_/);
    const stored = await contactRow(projectId, "ada.lovelace@example.com");
    expect(stored?.id).toBe(ada.contact_id);
    expect(JSON.parse(stored?.attributes ?? "{}")).toEqual({ plan: "pro", seats: 5, beta: true });

    // The same mailbox written differently is the same contact; another project may have it too.
    await expectError(
      await call("/v1/contacts", { key: apiKey, body: { email: "ADA.LOVELACE@example.com" } }),
      409,
      "CONFLICT",
    );
    await createContact(other.apiKey, { email: "ada.lovelace@example.com" });
    const idn = await createContact(apiKey, { email: "kurt@Bücher.de" });
    expect(idn.email).toBe("kurt@xn--bcher-kva.de");

    // Another project's key sees none of it.
    await expectError(await call(`/v1/contacts/${ada.contact_id}`, { key: other.apiKey }), 404, "NOT_FOUND");
    await expectError(
      await call(`/v1/contacts/${ada.contact_id}`, {
        key: other.apiKey,
        method: "PATCH",
        body: { name: "x" },
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/contacts/${ada.contact_id}`, { key: other.apiKey, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    expect((await contactRow(projectId, "ada.lovelace@example.com"))?.name).toBe("Ada");

    const read = await json<ContactBody>(await call(`/v1/contacts/${ada.contact_id}`, { key: apiKey }), 200);
    expect(read.email).toBe("ada.lovelace@example.com");
    const patched = await json<ContactBody>(
      await call(`/v1/contacts/${ada.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { name: "Ada L.", attributes: { plan: "team" } },
      }),
      200,
    );
    expect(patched).toMatchObject({ name: "Ada L.", attributes: { plan: "team" }, status: "subscribed" });

    for (let i = 0; i < 3; i++) await createContact(apiKey, { email: `list${i}@example.org` });
    const first = await json<{ contacts: ContactBody[]; next_cursor: string | null }>(
      await call("/v1/contacts?email_prefix=LIST&limit=2", { key: apiKey }),
      200,
    );
    expect(first.contacts.map((c) => c.email)).toEqual(["list2@example.org", "list1@example.org"]);
    const second = await json<{ contacts: ContactBody[]; next_cursor: string | null }>(
      await call(`/v1/contacts?email_prefix=list&limit=2&cursor=${first.next_cursor}`, { key: apiKey }),
      200,
    );
    expect(second.contacts.map((c) => c.email)).toEqual(["list0@example.org"]);
    expect(second.next_cursor).toBeNull();
    // A LIKE wildcard in the prefix matches only itself.
    const wild = await json<{ contacts: ContactBody[] }>(
      await call("/v1/contacts?email_prefix=%25", { key: apiKey }),
      200,
    );
    expect(wild.contacts).toEqual([]);
    const theirs = await json<{ contacts: ContactBody[] }>(
      await call("/v1/contacts", { key: other.apiKey }),
      200,
    );
    expect(theirs.contacts.map((c) => c.contact_id)).not.toContain(ada.contact_id);

    const deleted = await call(`/v1/contacts/${ada.contact_id}`, { key: apiKey, method: "DELETE" });
    expect(deleted.status).toBe(204);
    await expectError(await call(`/v1/contacts/${ada.contact_id}`, { key: apiKey }), 404, "NOT_FOUND");
  });

  it.each([
    ["an invalid address", { email: "not-an-email" }, /email/],
    ["a quoted local part", { email: '"ada lovelace"@example.com' }, /email/],
    ["an unknown field", { email: "a@example.com", admin: true }, /admin|unrecognized/i],
    [
      "an attribute key with SQL in it",
      { email: "a@example.com", attributes: { "plan') --": "x" } },
      /attributes/,
    ],
    [
      "an attribute that is an object",
      { email: "a@example.com", attributes: { plan: { a: 1 } } },
      /attributes/,
    ],
    ["a bad locale", { email: "a@example.com", locale: "english please" }, /locale/],
    ["a bad time zone", { email: "a@example.com", time_zone: "Mars/Olympus" }, /time_zone/],
    ["a status on create", { email: "a@example.com", status: "subscribed" }, /status|unrecognized/i],
  ])("refuses %s with a 400", async (_, body, message) => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/contacts", { key: apiKey, body }), 400, "BAD_REQUEST", message);
  });

  it("keeps suppressed addresses suppressed: only an admin lifts an unsubscribe, never a bounce", async () => {
    const { apiKey, projectId } = await seedProject();
    const member = await seedMember(projectId, "member");
    const admin = await seedMember(projectId, "admin");
    const bob = await createContact(apiKey, { email: "bob@example.com" });
    await json(
      await call(`/v1/contacts/${bob.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "unsubscribed" },
      }),
      200,
    );
    expect(await suppressionOf(projectId, "bob@example.com")).toEqual({
      reason: "unsubscribed",
      source: "api",
    });

    // Deleting and re-adding the address does not make it subscribed again.
    expect((await call(`/v1/contacts/${bob.contact_id}`, { key: apiKey, method: "DELETE" })).status).toBe(
      204,
    );
    const again = await createContact(apiKey, { email: "Bob@example.com" });
    expect(again.status).toBe("unsubscribed");

    // A member (write, not admin) cannot resubscribe; an admin can.
    await expectError(
      await call(`/v1/contacts/${again.contact_id}`, {
        method: "PATCH",
        headers: asMember(member.accessToken, projectId),
        body: { status: "subscribed" },
      }),
      403,
      "FORBIDDEN",
    );
    const lifted = await json<ContactBody>(
      await call(`/v1/contacts/${again.contact_id}`, {
        method: "PATCH",
        headers: asMember(admin.accessToken, projectId),
        body: { status: "subscribed" },
      }),
      200,
    );
    expect(lifted.status).toBe("subscribed");
    expect(await suppressionOf(projectId, "bob@example.com")).toBeNull();

    // A bounce stays: not even an admin key subscribes it, and a later unsubscribe keeps the bounce.
    await json(
      await call(`/v1/contacts/${again.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "bounced" },
      }),
      200,
    );
    await expectError(
      await call(`/v1/contacts/${again.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "subscribed" },
      }),
      409,
      "CONFLICT",
    );
    await json(
      await call(`/v1/contacts/${again.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "unsubscribed" },
      }),
      200,
    );
    expect((await suppressionOf(projectId, "bob@example.com"))?.reason).toBe("bounced");
    expect((await contactRow(projectId, "bob@example.com"))?.status).toBe("bounced");
  });
  it("suppresses addresses that are not contacts yet, and lists them", async () => {
    const { apiKey, projectId } = await seedProject();
    const other = await seedProject();
    const added = await json<{ email: string; reason: string; source: string }>(
      await call("/v1/suppressions", { key: apiKey, body: { email: "Do.Not.Mail@Example.com" } }),
      200,
    );
    expect(added).toMatchObject({ email: "do.not.mail@example.com", reason: "manual", source: "api" });
    await json(
      await call("/v1/suppressions", {
        key: apiKey,
        body: { email: "bounced@example.com", reason: "bounced" },
      }),
      200,
    );
    // A weaker reason never replaces a bounce.
    const kept = await json<{ reason: string }>(
      await call("/v1/suppressions", {
        key: apiKey,
        body: { email: "bounced@example.com", reason: "manual" },
      }),
      200,
    );
    expect(kept.reason).toBe("bounced");
    expect((await createContact(apiKey, { email: "do.not.mail@example.com" })).status).toBe("unsubscribed");
    expect((await createContact(apiKey, { email: "bounced@example.com" })).status).toBe("bounced");
    expect((await createContact(other.apiKey, { email: "bounced@example.com" })).status).toBe("subscribed");
    const page = await json<{ suppressions: { email: string }[]; next_cursor: string | null }>(
      await call("/v1/suppressions?limit=1", { key: apiKey }),
      200,
    );
    expect(page.suppressions).toHaveLength(1);
    const rest = await json<{ suppressions: { email: string }[] }>(
      await call(`/v1/suppressions?cursor=${page.next_cursor}`, { key: apiKey }),
      200,
    );
    expect([...page.suppressions, ...rest.suppressions].map((r) => r.email).sort()).toEqual([
      "bounced@example.com",
      "do.not.mail@example.com",
    ]);
    const theirs = await json<{ suppressions: unknown[] }>(
      await call("/v1/suppressions", { key: other.apiKey }),
      200,
    );
    expect(theirs.suppressions).toEqual([]);
    expect(await suppressionOf(projectId, "do.not.mail@example.com")).toEqual({
      reason: "manual",
      source: "api",
    });
    await expectError(
      await call("/v1/suppressions", { key: apiKey, body: { email: "nope" } }),
      400,
      "BAD_REQUEST",
      /email/,
    );
  });

  it("answers hostile text with a 400, never a 500", async () => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/contacts?email_prefix=a%00b", { key: apiKey }), 400, "BAD_REQUEST");
    await expectError(
      await call("/v1/contacts", {
        key: apiKey,
        body: { email: "a@example.com", attributes: { note: "a\u0000b" } },
      }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/v1/contacts", { key: apiKey, body: { email: "a@example.com", name: "\ud800" } }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/v1/segments", {
        key: apiKey,
        body: { name: "x", filter: { conditions: [{ field: "email", op: "equals", value: "\ud800" }] } },
      }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/v1/segments", {
        key: apiKey,
        body: { name: "x", filter: { conditions: [{ field: "attributes.\ud800", op: "exists" }] } },
      }),
      400,
      "BAD_REQUEST",
    );
    await expectError(await call("/v1/contacts?cursor=bogus", { key: apiKey }), 400, "BAD_REQUEST");
  });
});

describe("CSV imports", () => {
  it("counts lines ended by a lone CR (old Mac files) toward the row total and its limit", async () => {
    const { apiKey } = await seedProject();
    const csv = ["email,name", "cr1@example.com,One", "cr2@example.com,Two", "cr3@example.com,Three"].join(
      "\r",
    );
    const done = await importCsv(apiKey, csv);
    expect(done).toMatchObject({ rows_total: 3, rows_done: 3, inserted: 3 });
  });

  it("imports through R2 and the queue: upserts, duplicates, errors CSV, suppression wins", async () => {
    const { apiKey, projectId } = await seedProject();
    const other = await seedProject();
    const existing = await createContact(apiKey, {
      email: "old@example.com",
      name: "Old",
      attributes: { plan: "free" },
    });
    const gone = await createContact(apiKey, { email: "gone@example.com" });
    await json(
      await call(`/v1/contacts/${gone.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "unsubscribed" },
      }),
      200,
    );
    const csv = [
      "\uFEFFEmail,Name,Plan,Locale,Time Zone",
      "new1@example.com,New One,pro,en-us,Europe/Paris",
      "OLD@example.com,,team,,",
      "not-an-email,Bad,pro,,",
      "new2@example.com,First Two,free,,",
      "gone@example.com,Gone,pro,,",
      '"quoted@example.com","Last, First",pro,,',
      "new3@example.com,Three,pro,klingon!!,",
      "",
      "new2@example.com,Second Two,pro,,",
      "=HYPERLINK(1),Formula,pro,,",
    ].join("\r\n");
    const done = await importCsv(apiKey, csv);
    expect(done).toMatchObject({
      rows_done: 9,
      rows_total: 9,
      inserted: 3,
      updated: 1,
      skipped: 3,
      suppressed: 1,
      duplicates: 1,
      error_count: 3,
      failure: null,
    });
    const one = await contactRow(projectId, "new1@example.com");
    expect(one).toMatchObject({ name: "New One", status: "subscribed" });
    expect(JSON.parse(one?.attributes ?? "{}")).toEqual({ plan: "pro" });
    expect((await contactRow(projectId, "new2@example.com"))?.name).toBe("Second Two");
    expect((await contactRow(projectId, "quoted@example.com"))?.name).toBe("Last, First");
    // An update keeps what the row leaves empty and merges attributes.
    const old = await contactRow(projectId, "old@example.com");
    expect(old).toMatchObject({ id: existing.contact_id, name: "Old", status: "subscribed" });
    expect(JSON.parse(old?.attributes ?? "{}")).toEqual({ plan: "team" });
    // The unsubscribed address stays unsubscribed, untouched by the file.
    expect(await contactRow(projectId, "gone@example.com")).toMatchObject({
      status: "unsubscribed",
      name: null,
    });

    const errors = await call(`/v1/contacts/imports/${done.import_id}/errors`, { key: apiKey });
    expect(errors.status).toBe(200);
    expect(errors.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await errors.text()).trim().split("\r\n");
    expect(lines[0]).toBe("row,field,message");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual([
      "4,email",
      "8,locale",
      "11,email",
    ]);
    await expectError(
      await call(`/v1/contacts/imports/${done.import_id}`, { key: other.apiKey }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/contacts/imports/${done.import_id}/errors`, { key: other.apiKey }),
      404,
      "NOT_FOUND",
    );
    // The file is deleted once processed.
    const listed = await env.UPLOADS.list({ prefix: `imports/${projectId}/` });
    expect(listed.objects).toEqual([]);
  });

  it.each([
    ["no email column", "name,plan\nAda,pro\n", 400, /no email column/],
    ["an empty body", "", 400, /Content-Length|empty/],
    ["JSON instead of CSV", '{"email":"a@example.com"}', 400, /text\/csv|email column/],
  ])("refuses %s", async (_, body, status, message) => {
    const { apiKey } = await seedProject();
    const res =
      _ === "JSON instead of CSV"
        ? await call("/v1/contacts/imports", { key: apiKey, raw: body })
        : await upload(apiKey, body);
    await expectError(res, status, "BAD_REQUEST", message);
  });

  it("refuses a file over the size bound with 413 before reading it", async () => {
    const { apiKey } = await seedProject();
    const res = await call("/v1/contacts/imports", {
      key: apiKey,
      raw: "email\n",
      headers: { "content-type": "text/csv", "content-length": String(21 * 1024 * 1024) },
    });
    expect([400, 413]).toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  it("writes wide rows in parts under D1's value limit and refuses a row over the attributes bound", async () => {
    const { apiKey, projectId } = await seedProject();
    const columns = Array.from({ length: 60 }, (_, i) => `c${i}`);
    const cell = "x".repeat(120);
    const rows = Array.from({ length: 300 }, (_, i) =>
      [`wide${i}@example.com`, ...columns.map(() => cell)].join(","),
    );
    const huge = `huge@example.com,${"y".repeat(9_000)}${",".repeat(59)}`;
    const done = await importCsv(apiKey, `email,${columns.join(",")}\n${rows.join("\n")}\n${huge}\n`);
    expect(done).toMatchObject({ rows_done: 301, inserted: 300, skipped: 1, error_count: 1 });
    const stored = await contactRow(projectId, "wide299@example.com");
    expect(Object.keys(JSON.parse(stored?.attributes ?? "{}"))).toHaveLength(60);
    expect(await contactRow(projectId, "huge@example.com")).toBeNull();
    const errors = await (
      await call(`/v1/contacts/imports/${done.import_id}/errors`, { key: apiKey })
    ).text();
    expect(errors).toMatch(/^302,attributes,/m);
  });

  it("counts each chunk once when a message is redelivered or runs twice at once", async () => {
    const { projectId } = await seedProject();
    const rows = 2_500;
    const csv = `email,n\n${Array.from({ length: rows }, (_, i) => `r${i}@example.com,${i}`).join("\n")}\n`;
    const importId = `cim_redeliver${Date.now().toString(36)}`;
    const key = `imports/${projectId}/${importId}.csv`;
    await env.UPLOADS.put(key, csv);
    const now = Date.now();
    // Stored directly and never queued: the test plays the queue, delivering one message three times.
    await insertContactImport(db, {
      id: importId,
      projectId,
      status: "queued",
      objectKey: key,
      mapping: { header: ["email", "n"], email: 0, attributes: [{ column: 1, key: "n" }] },
      cursor: { row: 1, byte: "email,n\n".length, delimiter: "," },
      bytesTotal: csv.length,
      rowsTotal: rows,
      createdAt: now,
      updatedAt: now,
    });
    const ctx = buildContext(env, () => {});
    const job = { kind: "contact_import" as const, projectId, importId };
    await Promise.all([processContactImport({ ctx, input: job }), processContactImport({ ctx, input: job })]);
    await processContactImport({ ctx, input: job });
    const state = await env.DB.prepare(
      "SELECT status, chunk, rows_done, inserted, updated, duplicates FROM contact_imports WHERE id = ?",
    )
      .bind(importId)
      .first();
    expect(state).toEqual({
      status: "done",
      chunk: 3,
      rows_done: rows,
      inserted: rows,
      updated: 0,
      duplicates: 0,
    });
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM contacts WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(rows);
  });
});

describe("segments", () => {
  async function seeded() {
    const { apiKey, projectId } = await seedProject();
    await importCsv(
      apiKey,
      [
        "email,plan,seats,signup,country",
        "a@example.com,pro,5,2026-01-15,FR",
        "b@example.com,free,12,2026-03-01,DE",
        "c@example.com,team,40,2025-12-31,FR",
        "d@example.com,pro,,2026-02-10,",
        "e@corp.example,Pro,abc,not a date,US",
      ].join("\n"),
    );
    return { apiKey, projectId };
  }

  async function count(apiKey: string, filter: unknown) {
    const segment = await json<{ segment_id: string }>(
      await call("/v1/segments", { key: apiKey, body: { name: "s", filter } }),
      201,
    );
    const res = await json<{ count: number; subscribed: number; preview: ContactBody[] }>(
      await call(`/v1/segments/${segment.segment_id}/count?preview=50`, { key: apiKey }),
      200,
    );
    return { ...res, emails: res.preview.map((c) => c.email).sort() };
  }

  it.each([
    ["equals on an attribute", { field: "attributes.plan", op: "equals", value: "pro" }, ["a", "d"]],
    ["not_equals", { field: "attributes.plan", op: "not_equals", value: "pro" }, ["b", "c", "e"]],
    [
      "contains, case-insensitive",
      { field: "attributes.plan", op: "contains", value: "PR" },
      ["a", "d", "e"],
    ],
    ["starts_with on email", { field: "email", op: "starts_with", value: "e@" }, ["e"]],
    ["in", { field: "attributes.country", op: "in", value: ["FR", "US"] }, ["a", "c", "e"]],
    ["exists", { field: "attributes.seats", op: "exists" }, ["a", "b", "c", "e"]],
    ["not_exists", { field: "attributes.country", op: "not_exists" }, ["d"]],
    ["a numeric range on text attributes", { field: "attributes.seats", op: "gte", value: 10 }, ["b", "c"]],
    ["numeric between", { field: "attributes.seats", op: "between", value: [5, 12] }, ["a", "b"]],
    [
      "a date range",
      { field: "attributes.signup", op: "between", value: ["2026-01-01", "2026-02-28"] },
      ["a", "d"],
    ],
    ["before a date", { field: "attributes.signup", op: "lt", value: "2026-01-01" }, ["c"]],
    ["equals with a number", { field: "attributes.seats", op: "equals", value: 5 }, ["a"]],
    ["a value carrying SQL", { field: "attributes.plan", op: "equals", value: "pro' OR '1'='1" }, []],
    ["contains with LIKE wildcards", { field: "email", op: "contains", value: "%" }, []],
  ])("%s", async (_, condition, expected) => {
    const { apiKey } = await seeded();
    const result = await count(apiKey, { match: "all", conditions: [condition] });
    expect(result.emails).toEqual(expected.map((l) => (l === "e" ? "e@corp.example" : `${l}@example.com`)));
    expect(result.count).toBe(expected.length);
  });

  it("combines with all and any, counts subscribed apart, and scopes to the project", async () => {
    const { apiKey, projectId } = await seeded();
    const other = await seeded();
    const all = await count(apiKey, {
      match: "all",
      conditions: [
        { field: "attributes.plan", op: "equals", value: "pro" },
        { field: "created_at", op: "gte", value: "2020-01-01" },
      ],
    });
    expect(all.count).toBe(2);
    const any = await count(apiKey, {
      match: "any",
      conditions: [
        { field: "attributes.plan", op: "equals", value: "team" },
        { field: "email", op: "equals", value: "b@example.com" },
      ],
    });
    expect(any.count).toBe(2);
    const a = await contactRow(projectId, "a@example.com");
    await json(
      await call(`/v1/contacts/${a?.id}`, { key: apiKey, method: "PATCH", body: { status: "unsubscribed" } }),
      200,
    );
    const after = await count(apiKey, {
      match: "all",
      conditions: [{ field: "attributes.plan", op: "equals", value: "pro" }],
    });
    expect(after).toMatchObject({ count: 2, subscribed: 1 });
    const segment = await json<{ segment_id: string }>(
      await call("/v1/segments", {
        key: apiKey,
        body: { name: "pro", filter: { conditions: [{ field: "status", op: "exists" }] } },
      }),
      201,
    );
    await expectError(
      await call(`/v1/segments/${segment.segment_id}/count`, { key: other.apiKey }),
      404,
      "NOT_FOUND",
    );
    const renamed = await json<{ name: string }>(
      await call(`/v1/segments/${segment.segment_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { name: "renamed" },
      }),
      200,
    );
    expect(renamed.name).toBe("renamed");
    const listed = await json<{ segments: { segment_id: string }[] }>(
      await call("/v1/segments", { key: apiKey }),
      200,
    );
    expect(listed.segments.map((s) => s.segment_id)).toContain(segment.segment_id);
    expect((await call(`/v1/segments/${segment.segment_id}`, { key: apiKey, method: "DELETE" })).status).toBe(
      204,
    );
    await expectError(await call(`/v1/segments/${segment.segment_id}`, { key: apiKey }), 404, "NOT_FOUND");
  });

  it.each([
    ["SQL in a field name", { field: "attributes.plan') OR 1=1 --", op: "exists" }, /field/],
    ["a column outside the list", { field: "project_id", op: "equals", value: "x" }, /field/],
    ["a statement as a field", { field: "email; DROP TABLE contacts", op: "exists" }, /field/],
    ["an unknown operator", { field: "email", op: "regex", value: "x" }, /op/],
    ["a range on a text field", { field: "email", op: "gt", value: 3 }, /ranges/],
    ["a range with a word", { field: "attributes.seats", op: "gt", value: "many" }, /number or a date/],
    ["in without a list", { field: "email", op: "in", value: "x" }, /list/],
    ["between with one bound", { field: "attributes.seats", op: "between", value: [1] }, /from, to/],
  ])("refuses %s with a 400 and changes nothing", async (_, condition, message) => {
    const { apiKey, projectId } = await seedProject();
    await createContact(apiKey, { email: "keep@example.com" });
    await expectError(
      await call("/v1/segments", { key: apiKey, body: { name: "x", filter: { conditions: [condition] } } }),
      400,
      "BAD_REQUEST",
      message,
    );
    expect(await contactRow(projectId, "keep@example.com")).not.toBeNull();
  });
});

describe("unsubscribe and preferences pages", () => {
  const secret = env.TRACKING_SECRET as string;
  const oneClick = (token: string, body = "List-Unsubscribe=One-Click") =>
    call(`/email/unsubscribe?token=${encodeURIComponent(token)}`, {
      method: "POST",
      raw: body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

  it("one click unsubscribes, and a later import row for the address does not resubscribe it", async () => {
    const { apiKey, projectId } = await seedProject();
    const carol = await createContact(apiKey, { email: "carol@example.com" });
    const token = await signUnsubscribeToken(secret, {
      projectId,
      contactId: carol.contact_id,
      campaignId: "cmp_1",
    });

    const page = await call(`/email/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(html).toContain("c•••@example.com");
    expect(html).not.toContain("carol@example.com");
    expect((await contactRow(projectId, "carol@example.com"))?.status).toBe("subscribed");

    const res = await oneClick(token);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await contactRow(projectId, "carol@example.com"))?.status).toBe("unsubscribed");
    expect(await suppressionOf(projectId, "carol@example.com")).toEqual({
      reason: "unsubscribed",
      source: "one_click",
    });
    // Idempotent.
    expect((await oneClick(token)).status).toBe(200);

    const done = await importCsv(apiKey, "email,name\ncarol@example.com,Carol\n");
    expect(done).toMatchObject({ inserted: 0, updated: 0, suppressed: 1 });
    expect(await contactRow(projectId, "carol@example.com")).toMatchObject({
      status: "unsubscribed",
      name: null,
    });
  });

  it("the preferences page unsubscribes and resubscribes the token's contact only", async () => {
    const { apiKey, projectId } = await seedProject();
    const dan = await createContact(apiKey, { email: "dan@example.com" });
    const token = await signUnsubscribeToken(secret, { projectId, contactId: dan.contact_id });
    const url = `/email/preferences?token=${encodeURIComponent(token)}`;
    // Not followed: the 303 back to the page is what the test checks.
    const post = (action: string) =>
      exports.default.fetch(`http://pushbunny.test${url}`, {
        method: "POST",
        body: `action=${action}&email=someone-else%40example.com`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
    expect(await (await call(url)).text()).toContain("Unsubscribe");
    const unsub = await post("unsubscribe");
    expect(unsub.status).toBe(303);
    expect(unsub.headers.get("location")).toBe(url);
    expect((await contactRow(projectId, "dan@example.com"))?.status).toBe("unsubscribed");
    expect(await (await call(url)).text()).toContain("Subscribe again");
    expect((await post("resubscribe")).status).toBe(303);
    expect((await contactRow(projectId, "dan@example.com"))?.status).toBe("subscribed");
    expect(await suppressionOf(projectId, "dan@example.com")).toBeNull();
    expect(await contactRow(projectId, "someone-else@example.com")).toBeNull();

    // A bounced contact cannot resubscribe itself.
    await json(
      await call(`/v1/contacts/${dan.contact_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { status: "bounced" },
      }),
      200,
    );
    expect((await post("resubscribe")).status).toBe(303);
    expect((await contactRow(projectId, "dan@example.com"))?.status).toBe("bounced");
  });

  it("the preferences page never lifts what the tenant suppressed: a manual entry or an API unsubscribe", async () => {
    const { apiKey, projectId } = await seedProject();
    for (const how of ["manual", "api"] as const) {
      const email = `${how}-kept@example.com`;
      const c = await createContact(apiKey, { email });
      if (how === "manual") {
        await json(await call("/v1/suppressions", { key: apiKey, body: { email } }), 200);
      } else {
        await json(
          await call(`/v1/contacts/${c.contact_id}`, {
            key: apiKey,
            method: "PATCH",
            body: { status: "unsubscribed" },
          }),
          200,
        );
      }
      const token = await signUnsubscribeToken(secret, { projectId, contactId: c.contact_id });
      const url = `/email/preferences?token=${encodeURIComponent(token)}`;
      const page = await (await call(url)).text();
      expect(page).not.toContain("Subscribe again");
      const res = await exports.default.fetch(`http://pushbunny.test${url}`, {
        method: "POST",
        body: "action=resubscribe",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
      expect(res.status).toBe(303);
      expect((await contactRow(projectId, email))?.status).toBe("unsubscribed");
      expect(await suppressionOf(projectId, email)).not.toBeNull();
    }
  });

  it("refuses forged, foreign and malformed tokens with a 400 page, never a 500", async () => {
    const { apiKey, projectId } = await seedProject();
    const eve = await createContact(apiKey, { email: "eve@example.com" });
    const good = await signUnsubscribeToken(secret, { projectId, contactId: eve.contact_id });
    const last = good.at(-1) === "A" ? "B" : "A";
    const forged = [
      `${good.slice(0, -1)}${last}`,
      await signUnsubscribeToken("another-secret-0123456789", { projectId, contactId: eve.contact_id }),
      good.replace(eve.contact_id, "ctc_00000000000000000000"),
      "",
      "x".repeat(5_000),
      "prj_a.ctc_b.-.%00%00",
      "prj_a.ctc_b.-.'; DROP TABLE contacts; --",
    ];
    for (const token of forged) {
      for (const res of [
        await call(`/email/unsubscribe?token=${encodeURIComponent(token)}`),
        await oneClick(token),
      ]) {
        expect(res.status, token.slice(0, 40)).toBe(400);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      }
      const prefs = await call(`/email/preferences?token=${encodeURIComponent(token)}`);
      expect(prefs.status).toBe(400);
    }
    // A valid token without the one-click body does nothing.
    expect((await oneClick(good, "List-Unsubscribe=Nope")).status).toBe(400);
    expect((await call("/email/unsubscribe")).status).toBe(400);
    expect((await contactRow(projectId, "eve@example.com"))?.status).toBe("subscribed");
  });
});
