import { CONTACT_STATUSES, type ContactStatus, SUPPRESSION_REASONS } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { addSuppression } from "../../services/contacts/add-suppression";
import { createContact } from "../../services/contacts/create-contact";
import type { Contact } from "../../services/contacts/lib/contact";
import { listContacts } from "../../services/contacts/list-contacts";
import { updateContact } from "../../services/contacts/update-contact";
import { page, projectOf, sessionOf } from "../context";
import { when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { ImportForm } from "./email-imports";
import { EmailNav, field, formProblem, ID, Problem, StatusBadge } from "./email-nav";

const PAGE_SIZE = 50;
const CONTACT_ID = ID("ctc");

const isStatus = (s: string | undefined): s is ContactStatus =>
  !!s && (CONTACT_STATUSES as readonly string[]).includes(s);

function ContactRow(p: { projectId: string; k: Contact; csrf: string; canWrite: boolean }) {
  const k = p.k;
  return (
    <tr id={`contact-${k.id}`}>
      <th scope="row">{k.email}</th>
      <td>{k.name ?? <span class="muted">—</span>}</td>
      <td>
        <StatusBadge status={k.status} />
      </td>
      <td class="hide-narrow">
        {Object.keys(k.attributes).length === 0 ? (
          <span class="muted">—</span>
        ) : (
          Object.entries(k.attributes)
            .slice(0, 4)
            .map(([key, v]) => `${key}: ${String(v)}`)
            .join(", ")
        )}
      </td>
      <td class="hide-narrow">{when(k.createdAt)}</td>
      {p.canWrite ? (
        <td>
          {k.status === "subscribed" ? (
            <form
              method="post"
              action={`/app/p/${p.projectId}/email/contacts/${k.id}/unsubscribe`}
              hx-post={`/app/p/${p.projectId}/email/contacts/${k.id}/unsubscribe`}
              hx-target={`#contact-${k.id}`}
              hx-swap="outerHTML"
            >
              <Csrf token={p.csrf} />
              <button type="submit" class="secondary" aria-label={`Unsubscribe ${k.email}`}>
                Unsubscribe
              </button>
            </form>
          ) : (
            <span class="muted">suppressed</span>
          )}
        </td>
      ) : null}
    </tr>
  );
}

async function showContacts(
  c: Context<DashEnv>,
  project: DashProject,
  extra: { error?: string; suppressError?: string; notice?: string } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const csrf = sessionOf(c).csrf;
  const canWrite = roleGrants(role, "write");
  const q = (c.req.query("q") ?? "").trim().slice(0, 320);
  const statusFilter = c.req.query("status");
  const cursor = c.req.query("cursor") || undefined;
  const listed = await listContacts({
    ctx: c.get("ctx"),
    projectId,
    input: {
      status: isStatus(statusFilter) ? statusFilter : undefined,
      emailPrefix: q || undefined,
      limit: PAGE_SIZE,
      cursor,
    },
  });
  const base = `/app/p/${projectId}/email/contacts`;
  const next = listed.nextCursor
    ? `${base}?${new URLSearchParams({
        ...(q ? { q } : {}),
        ...(isStatus(statusFilter) ? { status: statusFilter } : {}),
        cursor: listed.nextCursor,
      })}`
    : null;
  return page(
    c,
    {
      title: "Contacts",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="contacts" />
          <h1>Contacts</h1>
          {extra.notice ? (
            <p class="panel notice" role="status">
              {extra.notice}
            </p>
          ) : null}
          <form class="filters" method="get" action={base}>
            <label>
              Address starts with
              <input name="q" type="search" value={q} maxlength={320} placeholder="ada@" />
            </label>
            <label>
              Status
              <select name="status">
                <option value="">any</option>
                {CONTACT_STATUSES.map((s) => (
                  <option value={s} selected={s === statusFilter}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="secondary">
              Search
            </button>
          </form>
          {listed.contacts.length === 0 ? (
            <p class="panel">
              {q || cursor || isStatus(statusFilter)
                ? "No contacts match: clear the search to see them all."
                : "No contacts yet: add one below, or import a CSV file with an email column."}
            </p>
          ) : (
            <ScrollBox label="Contacts table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-narrow">
                      Attributes
                    </th>
                    <th scope="col" class="hide-narrow">
                      Added (UTC)
                    </th>
                    {canWrite ? <th scope="col">Action</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {listed.contacts.map((k) => (
                    <ContactRow projectId={projectId} k={k} csrf={csrf} canWrite={canWrite} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {next ? (
            <p class="pager">
              <a href={next}>Next contacts →</a>
            </p>
          ) : null}
          {canWrite ? (
            <>
              <section class="panel" aria-labelledby="import-title">
                <h2 id="import-title">Import a CSV file</h2>
                <ImportForm projectId={projectId} csrf={csrf} />
                <p>
                  <a href={`/app/p/${projectId}/email/imports`}>Past imports and their progress →</a>
                </p>
              </section>
              <section class="panel" aria-labelledby="add-title">
                <h2 id="add-title">Add a contact</h2>
                <Problem message={extra.error} />
                <form class="stack" method="post" action={base}>
                  <Csrf token={csrf} />
                  <label>
                    Email address
                    <input name="email" type="email" required maxlength={320} autocomplete="off" />
                  </label>
                  <label>
                    Name (optional)
                    <input name="name" maxlength={200} autocomplete="off" />
                  </label>
                  <button type="submit">Add contact</button>
                </form>
              </section>
              <section class="panel" aria-labelledby="suppress-title">
                <h2 id="suppress-title">Suppress an address</h2>
                <p class="muted">
                  A suppressed address is never mailed and never subscribed again by an import, whether or not
                  it is a contact yet.
                </p>
                <Problem message={extra.suppressError} />
                <form class="stack" method="post" action={`${base}/suppress`}>
                  <Csrf token={csrf} />
                  <label>
                    Address to suppress
                    <input name="email" type="email" required maxlength={320} autocomplete="off" />
                  </label>
                  <label>
                    Reason
                    <select name="reason">
                      {SUPPRESSION_REASONS.map((r) => (
                        <option value={r} selected={r === "manual"}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="submit" class="danger">
                    Suppress address
                  </button>
                </form>
              </section>
            </>
          ) : null}
        </>
      ),
    },
    status,
  );
}

/**
 * Contacts: the verbs behind GET /v1/contacts (read; its cursor and address prefix), POST
 * /v1/contacts and POST /v1/suppressions (write), and PATCH /v1/contacts/{id} with
 * `status: unsubscribed` (write).
 */
export function registerContactPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/contacts", async (c) => showContacts(c, await projectOf(c, "read")));

  dash.post("/p/:project/email/contacts", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "write");
    const { projectId } = project;
    const form = await c.req.parseBody();
    const name = field(form, "name");
    try {
      const created = await createContact({
        ctx: c.get("ctx"),
        projectId,
        actor: `user:${session.userId}`,
        input: { email: field(form, "email"), name: name ? name.slice(0, 200) : null },
      });
      return c.redirect(`/app/p/${projectId}/email/contacts?q=${encodeURIComponent(created.email)}`, 303);
    } catch (err) {
      const problem = formProblem(err);
      return showContacts(c, project, { error: problem.message }, problem.status);
    }
  });

  dash.post("/p/:project/email/contacts/suppress", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "write");
    const { projectId } = project;
    const form = await c.req.parseBody();
    const reason = field(form, "reason");
    try {
      const row = await addSuppression({
        ctx: c.get("ctx"),
        projectId,
        actor: `user:${session.userId}`,
        input: {
          email: field(form, "email"),
          reason: (SUPPRESSION_REASONS as readonly string[]).includes(reason)
            ? (reason as (typeof SUPPRESSION_REASONS)[number])
            : "manual",
        },
      });
      return showContacts(c, project, { notice: `${row.email} is suppressed (${row.reason}).` });
    } catch (err) {
      const problem = formProblem(err);
      return showContacts(c, project, { suppressError: problem.message }, problem.status);
    }
  });

  dash.post("/p/:project/email/contacts/:contact/unsubscribe", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const contactId = c.req.param("contact");
    if (!CONTACT_ID.test(contactId)) return c.redirect(`/app/p/${projectId}/email/contacts`, 303);
    const contact = await updateContact({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { contactId, status: "unsubscribed", canResubscribe: false },
    });
    if (c.req.header("hx-request") === "true") {
      const row = await (
        <ContactRow projectId={projectId} k={contact} csrf={session.csrf} canWrite={true} />
      );
      return c.html(String(row));
    }
    return c.redirect(`/app/p/${projectId}/email/contacts?q=${encodeURIComponent(contact.email)}`, 303);
  });
}
