import { type AccessLevel, type Role, roleGrants } from "../../access/levels";
import type { AppError } from "../../errors";

export type SettingsTab = "keys" | "members" | "limits" | "webhooks" | "audit";

/** The settings pages in order, each with the access level of the API route it shows. */
export const TABS: { tab: SettingsTab; label: string; path: string; level: AccessLevel }[] = [
  { tab: "keys", label: "API keys", path: "keys", level: "admin" },
  { tab: "members", label: "Members", path: "members", level: "read" },
  { tab: "limits", label: "Limits", path: "limits", level: "read" },
  { tab: "webhooks", label: "Webhooks", path: "webhooks", level: "admin" },
  { tab: "audit", label: "Audit log", path: "audit-log", level: "admin" },
];

/** The settings area's own navigation: only the pages the person's role opens. */
export function SettingsNav(p: { projectId: string; role: Role; current: SettingsTab }) {
  return (
    <nav class="subnav" aria-label="Settings">
      <ul>
        {TABS.filter((t) => roleGrants(p.role, t.level)).map((t) => (
          <li>
            <a
              href={`/app/p/${p.projectId}/settings/${t.path}`}
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

/** A service's 400 as the form shows it: each field's message, or the error's own. */
export function issuesOf(err: AppError): string {
  return err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || err.message;
}
