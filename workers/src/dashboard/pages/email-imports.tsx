import type { ContactImportRow } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { NotFoundError } from "../../errors";
import { getContactImport, getContactImportErrorsCsv } from "../../services/contacts/get-import";
import { listContactImports } from "../../services/contacts/list-imports";
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, startContactImport } from "../../services/contacts/start-import";
import { page, projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { EmailNav, formProblem, ID, Problem, StatusBadge } from "./email-nav";

const IMPORT_ID = ID("cim");
/** How often a running import's progress asks again. */
const PROGRESS_POLL = "every 2s";
const IMPORTS_PAGE = 25;

const running = (r: ContactImportRow) => r.status === "queued" || r.status === "processing";

/** The upload form (multipart): the same verb as POST /v1/contacts/imports. */
export function ImportForm(p: { projectId: string; csrf: string; error?: string }) {
  return (
    <>
      <p class="muted">
        Up to {int(IMPORT_MAX_ROWS)} rows ({int(IMPORT_MAX_BYTES / 1024 / 1024)} MB). The header row needs an
        email column; name, locale and time_zone are recognised and every other column becomes an attribute.
        Rows update contacts with the same address; suppressed addresses are never written.
      </p>
      <Problem message={p.error} />
      <form
        class="stack"
        method="post"
        action={`/app/p/${p.projectId}/email/imports`}
        enctype="multipart/form-data"
      >
        <Csrf token={p.csrf} />
        <label>
          CSV file
          <input name="file" type="file" required accept=".csv,text/csv,text/plain" />
        </label>
        <button type="submit">Upload and import</button>
      </form>
    </>
  );
}

/**
 * An import's progress and counts. While it runs the box asks for itself again (htmx) and
 * stops once it comes back finished.
 */
export function ImportProgress(p: { projectId: string; r: ContactImportRow }) {
  const r = p.r;
  const url = `/app/p/${p.projectId}/email/imports/${r.id}`;
  const live = running(r);
  const total = Math.max(r.rowsTotal, r.rowsDone);
  return (
    <section
      id="import-progress"
      class="panel"
      aria-labelledby="progress-title"
      aria-live="polite"
      hx-get={live ? `${url}/progress` : undefined}
      hx-trigger={live ? PROGRESS_POLL : undefined}
      hx-swap={live ? "outerHTML" : undefined}
    >
      <h2 id="progress-title">
        Progress <StatusBadge status={r.status} />
      </h2>
      <p>
        <label for="import-bar">
          {int(r.rowsDone)} of {int(total)} rows
          {total > 0 ? ` (${pct(r.rowsDone / total, 0)})` : ""}
        </label>{" "}
        <progress
          id="import-bar"
          max={Math.max(total, 1)}
          value={r.status === "done" ? Math.max(total, 1) : r.rowsDone}
        >
          {int(r.rowsDone)} of {int(total)}
        </progress>
      </p>
      {r.failure ? (
        <p class="error" role="alert">
          The import stopped: {r.failure}
        </p>
      ) : null}
      <dl class="counts">
        <div>
          <dt>Created</dt>
          <dd id="import-created">{int(r.inserted)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd id="import-updated">{int(r.updated)}</dd>
        </div>
        <div>
          <dt>Skipped (suppressed or repeated)</dt>
          <dd id="import-skipped">{int(r.suppressed + r.duplicates)}</dd>
        </div>
        <div>
          <dt>Failed (rows with errors)</dt>
          <dd id="import-failed">{int(r.skipped)}</dd>
        </div>
      </dl>
      {r.errorCount > 0 ? (
        <p>
          <a href={`${url}/errors.csv`} download>
            Download the {int(r.errorCount)} row errors (CSV)
          </a>
        </p>
      ) : r.status === "done" ? (
        <p class="muted">No row had an error.</p>
      ) : null}
      {r.finishedAt ? <p class="muted">Finished {when(r.finishedAt)} UTC.</p> : null}
    </section>
  );
}

/**
 * CSV imports: the verbs behind POST /v1/contacts/imports (write), GET …/imports/{id} (read) and
 * GET …/imports/{id}/errors (read), the last served here with the session's cookie.
 */
export function registerImportPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/imports", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const csrf = sessionOf(c).csrf;
    const cursor = c.req.query("cursor") || undefined;
    const listed = await listContactImports({
      ctx: c.get("ctx"),
      projectId,
      input: { limit: IMPORTS_PAGE, cursor },
    });
    const base = `/app/p/${projectId}/email/imports`;
    return page(c, {
      title: "Contact imports",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="contacts" />
          <p>
            <a href={`/app/p/${projectId}/email/contacts`}>← Contacts</a>
          </p>
          <h1>Contact imports</h1>
          {listed.imports.length === 0 ? (
            <p class="panel">{cursor ? "No more imports." : "No imports yet: upload a CSV file below."}</p>
          ) : (
            <ScrollBox label="Imports table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Uploaded (UTC)</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Rows
                    </th>
                    <th scope="col" class="num">
                      Created
                    </th>
                    <th scope="col" class="num">
                      Updated
                    </th>
                    <th scope="col" class="num">
                      Errors
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.imports.map((r) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/${r.id}`}>{when(r.createdAt)}</a>
                      </th>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      <td class="num">
                        {int(r.rowsDone)} / {int(Math.max(r.rowsTotal, r.rowsDone))}
                      </td>
                      <td class="num">{int(r.inserted)}</td>
                      <td class="num">{int(r.updated)}</td>
                      <td class="num">{int(r.errorCount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {listed.nextCursor ? (
            <p class="pager">
              <a href={`${base}?cursor=${encodeURIComponent(listed.nextCursor)}`}>Older imports →</a>
            </p>
          ) : null}
          {roleGrants(role, "write") ? (
            <section class="panel" aria-labelledby="import-title">
              <h2 id="import-title">Import a CSV file</h2>
              <ImportForm projectId={projectId} csrf={csrf} />
            </section>
          ) : null}
        </>
      ),
    });
  });

  dash.post("/p/:project/email/imports", async (c) => {
    const session = sessionOf(c);
    const { projectId, role } = await projectOf(c, "write");
    // Already read by the CSRF check (Hono keeps the parsed body).
    const form = await c.req.parseBody();
    const file = form.file;
    try {
      if (!(file instanceof File) || file.size === 0) {
        return await showUploadError(c, projectId, role, session.csrf, "Choose a CSV file to upload.");
      }
      const row = await startContactImport({
        ctx: c.get("ctx"),
        projectId,
        actor: `user:${session.userId}`,
        input: { body: file.stream(), contentLength: file.size },
      });
      return c.redirect(`/app/p/${projectId}/email/imports/${row.id}`, 303);
    } catch (err) {
      const problem = formProblem(err);
      return showUploadError(c, projectId, role, session.csrf, problem.message, problem.status);
    }
  });

  dash.get("/p/:project/email/imports/:import", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const importId = c.req.param("import");
    const r = await getContactImport({
      ctx: c.get("ctx"),
      projectId,
      input: { importId: mustImportId(importId) },
    });
    return page(c, {
      title: "Contact import",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="contacts" />
          <p>
            <a href={`/app/p/${projectId}/email/contacts`}>← Contacts</a>
          </p>
          <h1>
            Import <code>{r.id}</code>
          </h1>
          <p class="muted">
            Uploaded {when(r.createdAt)} UTC · {int(r.bytesTotal)} bytes
          </p>
          <ImportProgress projectId={projectId} r={r} />
        </>
      ),
    });
  });

  dash.get("/p/:project/email/imports/:import/progress", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const r = await getContactImport({
      ctx: c.get("ctx"),
      projectId,
      input: { importId: mustImportId(c.req.param("import")) },
    });
    return c.html(String(await (<ImportProgress projectId={projectId} r={r} />)));
  });

  dash.get("/p/:project/email/imports/:import/errors.csv", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const importId = mustImportId(c.req.param("import"));
    const csv = await getContactImportErrorsCsv({ ctx: c.get("ctx"), projectId, input: { importId } });
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${importId.replace(/[^a-z0-9_]/g, "")}-errors.csv"`,
    });
  });
}

function mustImportId(raw: string): string {
  if (!IMPORT_ID.test(raw)) throw new NotFoundError("import not found");
  return raw;
}

async function showUploadError(
  c: Context<DashEnv>,
  projectId: string,
  role: DashProject["role"],
  csrf: string,
  message: string,
  status: 400 | 409 = 400,
): Promise<Response> {
  return page(
    c,
    {
      title: "Import contacts",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="contacts" />
          <h1>Import contacts</h1>
          <section class="panel" aria-labelledby="import-title">
            <h2 id="import-title">Upload a CSV file</h2>
            <ImportForm projectId={projectId} csrf={csrf} error={message} />
          </section>
        </>
      ),
    },
    status,
  );
}
