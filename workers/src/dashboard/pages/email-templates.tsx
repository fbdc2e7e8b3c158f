import type { ContentIssue } from "@pushbunny/email";
import type { Hono } from "hono";
import { NotFoundError } from "../../errors";
import { DEFAULT_HTML_CSP } from "../../http/middleware/security-headers";
import { getTemplate } from "../../services/templates/get-template";
import { listTemplates } from "../../services/templates/list-templates";
import { previewTemplate } from "../../services/templates/preview-template";
import { page, projectOf } from "../context";
import { when } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { EmailNav, ID, Problem } from "./email-nav";

const TEMPLATE_ID = ID("tpl");
const CONTACT_ID = ID("ctc");
const PAGE_SIZE = 50;

/**
 * Reading a sent mail here must not count as its recipient reading it: its open pixel and tracked
 * links point at this Worker. Images load only from data: URLs, and a click opens nothing (a new
 * window is what the sandbox refuses).
 */
const FRAME_HEAD =
  '<meta http-equiv="Content-Security-Policy" content="img-src data:"><base target="_blank">';

/**
 * The policy of a page with a mail frame: a srcdoc frame inherits its page's policy, and mail
 * is styled inline, so such a page allows inline styles. Scripts stay this origin's only, and
 * the frame itself runs none (sandbox).
 */
export const MAIL_PAGE_CSP = DEFAULT_HTML_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/** Rendered email HTML: shown only inside a sandboxed frame (no scripts, no same origin), never inline. */
export function MailFrame(p: { html: string; title: string }) {
  return (
    <iframe
      class="mail"
      sandbox=""
      referrerpolicy="no-referrer"
      title={p.title}
      srcdoc={`${FRAME_HEAD}${p.html}`}
    />
  );
}

export function IssueList(p: { issues: ContentIssue[] }) {
  if (p.issues.length === 0) return <p class="muted">The checks found nothing to fix.</p>;
  return (
    <ul class="plain">
      {p.issues.map((i) => (
        <li>
          <span class={`badge ${i.severity === "error" ? "bad" : "warn"}`}>{i.severity}</span> {i.message}
        </li>
      ))}
    </ul>
  );
}

const API_EXAMPLE = (origin: string) =>
  `curl -s ${origin}/v1/templates -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
  -d '{"name":"Spring","subject":"{{name}}, spring is here","html":"<p>Hi {{name}}</p><p><a href=\\"{{unsubscribe_url}}\\">Unsubscribe</a></p>"}'`;

/**
 * Templates: the verbs behind GET /v1/templates (read; cursor), GET /v1/templates/{id} (read; the
 * warnings its checks find) and POST /v1/templates/{id}/preview (read), for the built-in sample
 * contact or one of the project's contacts.
 */
export function registerTemplatePages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/templates", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const cursor = c.req.query("cursor") || undefined;
    const listed = await listTemplates({ ctx: c.get("ctx"), projectId, input: { limit: PAGE_SIZE, cursor } });
    const base = `/app/p/${projectId}/email/templates`;
    return page(c, {
      title: "Templates",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="templates" />
          <h1>Templates</h1>
          {listed.templates.length === 0 ? (
            <section class="panel" aria-labelledby="empty-title">
              <h2 id="empty-title">No templates yet</h2>
              <p>
                Create one through the API (Mustache variables such as {"{{name}}"} and{" "}
                {"{{attributes.plan}}"}; a campaign needs one):
              </p>
              <pre class="code">{API_EXAMPLE(new URL(c.req.url).origin)}</pre>
            </section>
          ) : (
            <ScrollBox label="Templates table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Subject</th>
                    <th scope="col" class="hide-narrow">
                      Updated (UTC)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.templates.map((t) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/${t.id}`}>{t.name}</a>
                      </th>
                      <td>{t.subject}</td>
                      <td class="hide-narrow">{when(t.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {listed.nextCursor ? (
            <p class="pager">
              <a href={`${base}?cursor=${encodeURIComponent(listed.nextCursor)}`}>Next templates →</a>
            </p>
          ) : null}
        </>
      ),
    });
  });

  dash.get("/p/:project/email/templates/:template", async (c) => {
    c.header("Content-Security-Policy", MAIL_PAGE_CSP);
    const { projectId, role } = await projectOf(c, "read");
    const templateId = c.req.param("template");
    if (!TEMPLATE_ID.test(templateId)) throw new NotFoundError("template not found");
    const ctx = c.get("ctx");
    const contactParam = (c.req.query("contact_id") ?? "").trim();
    const contactId = CONTACT_ID.test(contactParam) ? contactParam : undefined;
    const checked = await getTemplate({ ctx, projectId, input: { templateId } });
    let contactError: string | undefined;
    let preview: Awaited<ReturnType<typeof previewTemplate>>;
    try {
      preview = await previewTemplate({ ctx, projectId, input: { templateId, contactId } });
    } catch (err) {
      // Another project's or an unknown contact: say so, and show the built-in sample instead.
      if (!(err instanceof NotFoundError) || contactId === undefined) throw err;
      contactError = `No contact ${contactId} in this project: showing the built-in sample contact.`;
      preview = await previewTemplate({ ctx, projectId, input: { templateId } });
    }
    if (contactParam && !contactId)
      contactError = "That is not a contact id (ctc_…): showing the built-in sample.";
    const t = checked.template;
    const r = preview.rendered;
    const sample = contactId && !contactError ? `contact ${contactId}` : "the built-in sample contact";
    return page(c, {
      title: t.name,
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="templates" />
          <p>
            <a href={`/app/p/${projectId}/email/templates`}>← Templates</a>
          </p>
          <h1>{t.name}</h1>
          <section class="panel" aria-labelledby="checks-title">
            <h2 id="checks-title">Checks</h2>
            <IssueList issues={checked.issues} />
          </section>
          <section class="panel" aria-labelledby="preview-title">
            <h2 id="preview-title">Preview for {sample}</h2>
            <form class="filters" method="get" action={`/app/p/${projectId}/email/templates/${t.id}`}>
              <label>
                Preview for contact id
                <input name="contact_id" value={contactParam} maxlength={70} placeholder="ctc_…" />
              </label>
              <button type="submit" class="secondary">
                Preview
              </button>
            </form>
            <Problem message={contactError} />
            <p>
              <strong>Subject:</strong> {r.subject}
            </p>
            <p>
              <strong>Preheader:</strong> {r.preheader || <span class="muted">—</span>}
            </p>
            {r.missing.length > 0 ? (
              <p class="error">No value for this contact (rendered empty): {r.missing.join(", ")}</p>
            ) : null}
            <MailFrame html={r.html} title={`${t.name} as ${sample} sees it`} />
            <h3>Text part{preview.textDerived ? " (derived from the HTML)" : ""}</h3>
            <pre class="code">{r.text}</pre>
          </section>
        </>
      ),
    });
  });
}
