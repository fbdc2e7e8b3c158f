// Walks every operation in /v1/openapi.json with the hostile corpus (fuzz-corpus.ts): path
// parameters, query strings, whole bodies and each body field. Fails on any 5xx, any hang, and
// any 4xx that is not the JSON error envelope. New routes are fuzzed the day they are declared.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json, type MessageBody, seedProject } from "../helpers";
import { HOSTILE_CONTENT_TYPES, HOSTILE_RAW_BODIES, HOSTILE_STRINGS, HOSTILE_VALUES } from "./fuzz-corpus";
import { encodeHostile, fillPath, loadOperations, type Operation } from "./openapi-walk";

const { operations } = await loadOperations();
const HANG_MS = 15_000;
const PARALLEL = 8;
// A few strings are enough per field on top of the typed values; every string goes to params.
const FIELD_STRINGS = [
  "empty",
  "loneHighSurrogate",
  "nul",
  "long100k",
  "templateProto",
  "percent",
  "idShaped",
];

interface Case {
  name: string;
  path: string;
  query?: string;
  body?: string | Uint8Array;
  contentType?: string | null;
}

interface Failure {
  case: string;
  status: number | "hang" | "threw";
  body: string;
}

async function send(op: Operation, c: Case, key: string): Promise<Failure | null> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  const contentType = c.contentType === undefined ? "application/json" : c.contentType;
  if (c.body !== undefined && contentType !== null) headers["content-type"] = contentType;
  const url = `http://pushbunny.test${c.path}${c.query ? `?${c.query}` : ""}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const res = await Promise.race([
      exports.default.fetch(url, { method: op.method.toUpperCase(), headers, body: c.body }),
      new Promise<"hang">((resolve) => {
        timer = setTimeout(() => resolve("hang"), HANG_MS);
      }),
    ]);
    if (res === "hang") return { case: c.name, status: "hang", body: "" };
    const text = await res.text();
    if (res.status >= 500) return { case: c.name, status: res.status, body: text.slice(0, 300) };
    if (res.status >= 400) {
      let envelope = false;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        envelope = typeof parsed.error?.code === "string" && typeof parsed.error.message === "string";
      } catch {
        envelope = false;
      }
      if (!envelope)
        return {
          case: `${c.name} (4xx without the error envelope)`,
          status: res.status,
          body: text.slice(0, 300),
        };
    }
    return null;
  } catch (err) {
    return { case: c.name, status: "threw", body: String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function casesFor(op: Operation, ids: Record<string, string>): Case[] {
  const basePath = fillPath(op.path, ids);
  const cases: Case[] = [];
  for (const param of op.pathParams) {
    for (const [name, value] of Object.entries(HOSTILE_STRINGS)) {
      if (name === "long100k") continue; // a 100 KB URL is refused by the runtime before the Worker
      cases.push({ name: `path ${param}=${name}`, path: fillPath(op.path, { ...ids, [param]: value }) });
    }
    // Bytes that are not valid percent-encoding reach the router as they are.
    cases.push({
      name: `path ${param}=raw bad escapes`,
      path: op.path.replace(/\{([^}]+)\}/g, (_, n: string) =>
        n === param ? "%E0%A4%A" : encodeHostile(ids[n] ?? "x"),
      ),
    });
  }
  const queries = [...op.queryParams, "limit", "cursor"];
  for (const param of new Set(queries)) {
    for (const [name, value] of Object.entries(HOSTILE_STRINGS)) {
      if (name === "long100k") continue;
      cases.push({
        name: `query ${param}=${name}`,
        path: basePath,
        query: `${param}=${encodeHostile(value)}`,
      });
    }
    cases.push({ name: `query ${param} bad escape`, path: basePath, query: `${param}=%ZZ%E0%A4%A` });
    cases.push({
      name: `query ${param} repeated`,
      path: basePath,
      query: `${param}=1&${param}=2&${param}[]=3`,
    });
  }
  if (op.method === "get") return cases;
  if (op.method === "delete") {
    // A body on a method that takes none is ignored or refused, never a crash.
    cases.push({ name: "body on a bodiless method", path: basePath, body: '{"a":1}' });
    return cases;
  }
  for (const [name, raw] of Object.entries(HOSTILE_RAW_BODIES)) {
    cases.push({ name: `raw body ${name}`, path: basePath, body: raw });
  }
  for (const [name, type] of Object.entries(HOSTILE_CONTENT_TYPES)) {
    cases.push({ name: `content-type ${name}`, path: basePath, body: "{}", contentType: type });
  }
  for (const [name, value] of Object.entries(HOSTILE_VALUES)) {
    cases.push({ name: `whole body ${name}`, path: basePath, body: JSON.stringify(value) });
  }
  const fieldValues: [string, unknown][] = [
    ...Object.entries(HOSTILE_VALUES),
    ...FIELD_STRINGS.map((k): [string, unknown] => [`string:${k}`, HOSTILE_STRINGS[k]]),
  ];
  for (const field of op.bodyFields) {
    for (const [name, value] of fieldValues) {
      cases.push({
        name: `field ${field}=${name}`,
        path: basePath,
        body: JSON.stringify({ [field]: value }),
      });
    }
    // The field hostile, the others absent is one shape; nested in an array is another.
    cases.push({
      name: `field ${field} in array`,
      path: basePath,
      body: JSON.stringify([{ [field]: "\ud800" }]),
    });
  }
  return cases;
}

async function runAll(op: Operation, cases: Case[], key: string): Promise<Failure[]> {
  const failures: Failure[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        const failure = await send(op, c, key);
        if (failure) failures.push(failure);
      }
    }),
  );
  return failures;
}

// One project for the whole walk, with one real experiment and variant to aim at.
const seeded = await seedProject({ challengerCount: 0 });
const first = await json<MessageBody>(
  await exports.default.fetch("http://pushbunny.test/v1/message", {
    method: "POST",
    headers: { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ intent_id: "fuzz_seed", base_example: "Hello {{name}}", locale: "en-US" }),
  }),
  200,
);
const IDS: Record<string, string> = {
  experiment_id: first.experiment_id,
  variant_id: first.variant_id,
  project: seeded.projectId,
  project_id: seeded.projectId,
  channel: "facebook",
};

describe(`fuzz: ${operations.length} operations from /v1/openapi.json`, () => {
  it("walks a real set of operations", () => {
    expect(operations.length).toBeGreaterThan(30);
    const cases = operations.reduce((n, op) => n + casesFor(op, IDS).length, 0);
    // One line in the run's output: how much hostile input the API took this time.
    console.info(`fuzz corpus: ${cases} cases over ${operations.length} operations`);
    expect(cases).toBeGreaterThan(5_000);
  });

  it.each(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
    "%s answers hostile input with a 4xx envelope, never a 5xx or a hang",
    async (_, op) => {
      const cases = casesFor(op, IDS);
      const failures = await runAll(op, cases, seeded.apiKey);
      expect(failures, `${failures.length} of ${cases.length} cases failed`).toEqual([]);
    },
    120_000,
  );
});
