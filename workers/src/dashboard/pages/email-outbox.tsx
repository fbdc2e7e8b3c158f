import type { Hono } from "hono";
import { NotFoundError } from "../../errors";
import { getOutboxMail, listEmailOutbox } from "../../services/email/list-outbox";
import { page, projectOf } from "../context";
import { when } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { EmailNav } from "./email-nav";
import { MAIL_PAGE_CSP, MailFrame } from "./email-templates";

/** The list shows this many; a message is found among the newest 100 (the list verb's bound). */
const LIST_SIZE = 50;
const OUTBOX_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The development outbox: the verb behind GET /v1/email/outbox (read), the mail the outbox
 * transport kept when RESEND_API_KEY is not set. A message is shown in a sandboxed frame.
 */
export function registerOutboxPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/outbox", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const rows = (await listEmailOutbox({ ctx: c.get("ctx"), projectId, input: { limit: LIST_SIZE } }))
      .messages;
    const base = `/app/p/${projectId}/email/outbox`;
    return page(c, {
      title: "Outbox",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="outbox" />
          <h1>Outbox</h1>
          <p class="muted">
            In development (no RESEND_API_KEY) campaign and test mail is kept here instead of being sent. The
            newest {LIST_SIZE} are listed.
          </p>
          {rows.length === 0 ? (
            <p class="panel">No mail yet: send a campaign or a test from a campaign's page.</p>
          ) : (
            <ScrollBox label="Outbox table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">To</th>
                    <th scope="col" class="hide-narrow">
                      From
                    </th>
                    <th scope="col">Kept (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((m) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/${encodeURIComponent(m.providerMessageId)}`}>{m.subject}</a>
                      </th>
                      <td>{m.toAddress}</td>
                      <td class="hide-narrow">{m.fromAddress}</td>
                      <td>{when(m.createdAt)}</td>
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

  dash.get("/p/:project/email/outbox/:mail", async (c) => {
    c.header("Content-Security-Policy", MAIL_PAGE_CSP);
    const { projectId, role } = await projectOf(c, "read");
    const id = c.req.param("mail");
    if (!OUTBOX_ID.test(id)) throw new NotFoundError("mail not found");
    const m = await getOutboxMail({ ctx: c.get("ctx"), projectId, input: { providerMessageId: id } });
    return page(c, {
      title: m.subject,
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="outbox" />
          <p>
            <a href={`/app/p/${projectId}/email/outbox`}>← Outbox</a>
          </p>
          <h1>{m.subject}</h1>
          <section class="panel" aria-label="Envelope">
            <p>
              <strong>To:</strong> {m.toAddress} · <strong>From:</strong> {m.fromAddress} ·{" "}
              <strong>Kept:</strong> {when(m.createdAt)} UTC
            </p>
            {m.headers && Object.keys(m.headers).length > 0 ? (
              <ScrollBox label="Headers table">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Header</th>
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(m.headers).map(([k, v]) => (
                      <tr>
                        <th scope="row">{k}</th>
                        <td>
                          <code>{v}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollBox>
            ) : null}
          </section>
          <h2>HTML part</h2>
          <MailFrame html={m.html} title={`The HTML of ${m.subject}`} />
          <h2>Text part</h2>
          <pre class="code">{m.text}</pre>
        </>
      ),
    });
  });
}
