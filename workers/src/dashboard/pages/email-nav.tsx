import { type AccessLevel, type Role, roleGrants } from "../../access/levels";
import { AppError } from "../../errors";

export type EmailTab = "campaigns" | "contacts" | "segments" | "templates" | "outbox";

/** The email pages in order, each with the access level of the API route it shows. */
const TABS: { tab: EmailTab; label: string; level: AccessLevel }[] = [
  { tab: "campaigns", label: "Campaigns", level: "read" },
  { tab: "contacts", label: "Contacts", level: "read" },
  { tab: "segments", label: "Segments", level: "read" },
  { tab: "templates", label: "Templates", level: "read" },
  { tab: "outbox", label: "Outbox", level: "read" },
];

/** The email area's own navigation. */
export function EmailNav(p: { projectId: string; role: Role; current: EmailTab }) {
  return (
    <nav class="subnav" aria-label="Email">
      <ul>
        {TABS.filter((t) => roleGrants(p.role, t.level)).map((t) => (
          <li>
            <a
              href={`/app/p/${p.projectId}/email/${t.tab}`}
              aria-current={t.tab === p.current ? "page" : undefined}
            >
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A form's text field, trimmed; absent or a file is "". */
export const field = (form: Record<string, unknown>, name: string): string => {
  const v = form[name];
  return typeof v === "string" ? v.trim() : "";
};

/** A service's refusal a form can show (400, 409, 413), in words; anything else is rethrown. */
export function formProblem(err: unknown): { status: 400 | 409; message: string } {
  if (err instanceof AppError && (err.status === 400 || err.status === 409 || err.status === 413)) {
    const message = err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || err.message;
    return { status: err.status === 409 ? 409 : 400, message };
  }
  throw err;
}

/** The error line above a form, announced when it appears. */
export const Problem = (p: { message: string | undefined }) =>
  p.message ? (
    <p class="error" role="alert">
      {p.message}
    </p>
  ) : null;

/** Ids in paths are checked before any read: anything else is a 404 page, as in the API. */
export const ID = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`);

/** A status word as a coloured badge (ok, warn or bad), text included: colour is never the only cue. */
export function StatusBadge(p: { status: string }) {
  const tone =
    p.status === "subscribed" || p.status === "sent" || p.status === "done" || p.status === "delivered"
      ? "ok"
      : p.status === "failed" ||
          p.status === "bounced" ||
          p.status === "complained" ||
          p.status === "cancelled"
        ? "bad"
        : p.status === "unsubscribed" || p.status === "draft"
          ? "plain"
          : "warn";
  return <span class={`badge ${tone}`}>{p.status}</span>;
}
