import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { NotFoundError } from "../../errors";
import { CreateSegmentRequest } from "../../http/routes/segments/create-segment";
import { countSegment } from "../../services/segments/count-segment";
import { createSegment } from "../../services/segments/create-segment";
import { deleteSegment } from "../../services/segments/delete-segment";
import { type FilterValue, SEGMENT_OPERATORS, type SegmentFilter } from "../../services/segments/filter";
import { getSegment } from "../../services/segments/get-segment";
import type { Segment } from "../../services/segments/lib";
import { listSegments } from "../../services/segments/list-segments";
import { page, projectOf, sessionOf } from "../context";
import { int, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { EmailNav, field, formProblem, ID, Problem, StatusBadge } from "./email-nav";

const SEGMENT_ID = ID("seg");
const PAGE_SIZE = 50;

const FIELDS = ["email", "name", "locale", "time_zone", "status", "created_at", "updated_at"] as const;

const OP_LABEL: Record<string, string> = {
  equals: "equals",
  not_equals: "does not equal",
  contains: "contains",
  starts_with: "starts with",
  in: "is one of (comma-separated)",
  exists: "is set",
  not_exists: "is not set",
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  between: "is between (from, to)",
};

/** A condition in words, for the list. */
function describe(filter: SegmentFilter): string {
  const parts = filter.conditions.map((c) => {
    const v =
      c.value === undefined ? "" : ` ${Array.isArray(c.value) ? c.value.join(", ") : String(c.value)}`;
    return `${c.field} ${OP_LABEL[c.op] ?? c.op}${v}`;
  });
  return parts.join(filter.match === "any" ? " or " : " and ");
}

// A number typed in a form is a number: the filter compares "42" from a file and 42 alike.
const typed = (v: string): FilterValue => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/** The simple form's one condition as the API's filter body; the JSON box, when filled, instead. */
function filterOf(form: Record<string, unknown>): { filter?: unknown; error?: string } {
  const advanced = field(form, "filter_json");
  if (advanced) {
    try {
      return { filter: JSON.parse(advanced) };
    } catch {
      return { error: "The advanced filter is not valid JSON." };
    }
  }
  const attribute = field(form, "attribute");
  const name = field(form, "field");
  const fieldName = name === "attribute" ? `attributes.${attribute}` : name;
  const op = field(form, "op");
  const raw = field(form, "value");
  let value: FilterValue | FilterValue[] | undefined;
  if (op === "exists" || op === "not_exists") value = undefined;
  else if (op === "in")
    value = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(typed);
  else if (op === "between") value = raw.split(",").map((s) => typed(s.trim()));
  else if (op === "contains" || op === "starts_with") value = raw;
  else value = typed(raw);
  return {
    filter: {
      match: field(form, "match") === "any" ? "any" : "all",
      conditions: [{ field: fieldName, op, ...(value === undefined ? {} : { value }) }],
    },
  };
}

function CountCell(p: { segmentId: string; total: number; subscribed: number }) {
  return (
    <span id={`count-${p.segmentId}`}>
      {int(p.total)} <span class="muted">({int(p.subscribed)} subscribed)</span>
    </span>
  );
}

function SegmentRow(p: { projectId: string; s: Segment; csrf: string; canWrite: boolean }) {
  const url = `/app/p/${p.projectId}/email/segments/${p.s.id}`;
  return (
    <tr id={`segment-${p.s.id}`}>
      <th scope="row">
        <a href={url}>{p.s.name}</a>
      </th>
      <td>{describe(p.s.filter)}</td>
      <td>
        <span id={`count-${p.s.id}`}>
          <a
            href={url}
            class="button secondary"
            hx-get={`${url}/count`}
            hx-target={`#count-${p.s.id}`}
            hx-swap="outerHTML"
            aria-label={`Count now: ${p.s.name}`}
          >
            Count now
          </a>
        </span>
      </td>
      <td class="hide-narrow">{when(p.s.createdAt)}</td>
      {p.canWrite ? (
        <td>
          <form
            method="post"
            action={`${url}/delete`}
            hx-post={`${url}/delete`}
            hx-target={`#segment-${p.s.id}`}
            hx-swap="delete"
            hx-confirm={`Delete the segment ${p.s.name}? Its contacts stay.`}
          >
            <Csrf token={p.csrf} />
            <button type="submit" class="danger" aria-label={`Delete segment ${p.s.name}`}>
              Delete
            </button>
          </form>
        </td>
      ) : null}
    </tr>
  );
}

async function showSegments(
  c: Context<DashEnv>,
  project: DashProject,
  extra: { error?: string; form?: Record<string, unknown> } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const csrf = sessionOf(c).csrf;
  const canWrite = roleGrants(role, "write");
  const cursor = c.req.query("cursor") || undefined;
  const listed = await listSegments({ ctx: c.get("ctx"), projectId, input: { limit: PAGE_SIZE, cursor } });
  const base = `/app/p/${projectId}/email/segments`;
  const f = extra.form ?? {};
  return page(
    c,
    {
      title: "Segments",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="segments" />
          <h1>Segments</h1>
          {listed.segments.length === 0 ? (
            <p class="panel">
              {cursor
                ? "No more segments."
                : "No segments yet: save a filter below to send a campaign to part of your contacts."}
            </p>
          ) : (
            <ScrollBox label="Segments table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Filter</th>
                    <th scope="col">Contacts</th>
                    <th scope="col" class="hide-narrow">
                      Created (UTC)
                    </th>
                    {canWrite ? <th scope="col">Action</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {listed.segments.map((s) => (
                    <SegmentRow projectId={projectId} s={s} csrf={csrf} canWrite={canWrite} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {listed.nextCursor ? (
            <p class="pager">
              <a href={`${base}?cursor=${encodeURIComponent(listed.nextCursor)}`}>Next segments →</a>
            </p>
          ) : null}
          {canWrite ? (
            <section class="panel" aria-labelledby="create-title">
              <h2 id="create-title">Create a segment</h2>
              <Problem message={extra.error} />
              <form class="stack" method="post" action={base}>
                <Csrf token={csrf} />
                <label>
                  Name
                  <input name="name" required maxlength={120} value={field(f, "name")} />
                </label>
                <fieldset>
                  <legend>Contacts whose</legend>
                  <label>
                    Field
                    <select name="field">
                      {FIELDS.map((x) => (
                        <option value={x} selected={field(f, "field") === x}>
                          {x}
                        </option>
                      ))}
                      <option value="attribute" selected={field(f, "field") === "attribute"}>
                        an attribute (name it below)
                      </option>
                    </select>
                  </label>
                  <label>
                    Attribute key (when the field is an attribute)
                    <input
                      name="attribute"
                      maxlength={64}
                      pattern="[a-z0-9_]{1,64}"
                      value={field(f, "attribute")}
                    />
                  </label>
                  <label>
                    Test
                    <select name="op">
                      {SEGMENT_OPERATORS.map((op) => (
                        <option value={op} selected={field(f, "op") === op}>
                          {OP_LABEL[op] ?? op}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Value (dates as 2026-12-06)
                    <input name="value" maxlength={2000} value={field(f, "value")} />
                  </label>
                </fieldset>
                <details>
                  <summary>Advanced: several conditions as JSON</summary>
                  <label>
                    Filter JSON (replaces the condition above)
                    <textarea name="filter_json" rows={6} maxlength={8000}>
                      {field(f, "filter_json")}
                    </textarea>
                  </label>
                  <p class="muted">
                    {
                      '{"match": "all", "conditions": [{"field": "attributes.plan", "op": "in", "value": ["pro", "team"]}, {"field": "created_at", "op": "gte", "value": "2026-11-01"}]}'
                    }
                  </p>
                </details>
                <button type="submit">Create segment</button>
              </form>
            </section>
          ) : null}
        </>
      ),
    },
    status,
  );
}

const segmentIdOf = (raw: string) => {
  if (!SEGMENT_ID.test(raw)) throw new NotFoundError("segment not found");
  return raw;
};

/**
 * Segments: the verbs behind GET /v1/segments (read; cursor), GET /v1/segments/{id} and
 * …/count (read), POST /v1/segments (write; the body checked by the route's own schema) and
 * DELETE /v1/segments/{id} (write).
 */
export function registerSegmentPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/segments", async (c) => showSegments(c, await projectOf(c, "read")));

  dash.post("/p/:project/email/segments", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const parsed = filterOf(form);
    if (parsed.error) return showSegments(c, project, { error: parsed.error, form }, 400);
    const body = CreateSegmentRequest.safeParse({ name: field(form, "name"), filter: parsed.filter });
    if (!body.success) {
      const message = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      return showSegments(c, project, { error: message, form }, 400);
    }
    try {
      const segment = await createSegment({
        ctx: c.get("ctx"),
        projectId: project.projectId,
        actor: `user:${session.userId}`,
        input: { name: body.data.name, filter: body.data.filter as SegmentFilter },
      });
      return c.redirect(`/app/p/${project.projectId}/email/segments/${segment.id}`, 303);
    } catch (err) {
      const problem = formProblem(err);
      return showSegments(c, project, { error: problem.message, form }, problem.status);
    }
  });

  dash.get("/p/:project/email/segments/:segment/count", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const segmentId = segmentIdOf(c.req.param("segment"));
    const counted = await countSegment({ ctx: c.get("ctx"), projectId, input: { segmentId, preview: 0 } });
    return c.html(
      String(
        await (<CountCell segmentId={segmentId} total={counted.total} subscribed={counted.subscribed} />),
      ),
    );
  });

  dash.get("/p/:project/email/segments/:segment", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const segmentId = segmentIdOf(c.req.param("segment"));
    const ctx = c.get("ctx");
    const [segment, counted] = await Promise.all([
      getSegment({ ctx, projectId, input: { segmentId } }),
      countSegment({ ctx, projectId, input: { segmentId, preview: 10 } }),
    ]);
    const url = `/app/p/${projectId}/email/segments/${segment.id}`;
    return page(c, {
      title: segment.name,
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="segments" />
          <p>
            <a href={`/app/p/${projectId}/email/segments`}>← Segments</a>
          </p>
          <h1>{segment.name}</h1>
          <section class="panel" aria-labelledby="count-title" aria-live="polite">
            <h2 id="count-title">Contacts now</h2>
            <p>
              <CountCell segmentId={segment.id} total={counted.total} subscribed={counted.subscribed} />{" "}
              <a
                href={url}
                class="button secondary"
                hx-get={`${url}/count`}
                hx-target={`#count-${segment.id}`}
                hx-swap="outerHTML"
              >
                Count again
              </a>
            </p>
            <p>Filter: {describe(segment.filter)}</p>
            <pre class="code">{JSON.stringify(segment.filter, null, 2)}</pre>
          </section>
          <h2>Newest matching contacts</h2>
          {counted.preview.length === 0 ? (
            <p class="panel">No contact matches yet: import contacts, or change the filter.</p>
          ) : (
            <ScrollBox label="Matching contacts table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {counted.preview.map((k) => (
                    <tr>
                      <th scope="row">{k.email}</th>
                      <td>{k.name ?? <span class="muted">—</span>}</td>
                      <td>
                        <StatusBadge status={k.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
        </>
      ),
    });
  });

  dash.post("/p/:project/email/segments/:segment/delete", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const segmentId = segmentIdOf(c.req.param("segment"));
    await deleteSegment({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { segmentId },
    });
    if (c.req.header("hx-request") === "true") return c.html("");
    return c.redirect(`/app/p/${projectId}/email/segments`, 303);
  });
}
