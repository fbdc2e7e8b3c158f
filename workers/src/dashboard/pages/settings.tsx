import type { Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { projectOf } from "../context";
import type { DashEnv } from "../types";
import { registerAuditPage } from "./settings-audit";
import { registerLimitsPage } from "./settings-limits";
import { registerMembersPage } from "./settings-members";
import { TABS } from "./settings-nav";

export function registerSettingsPages(dash: Hono<DashEnv>): void {
  // The "Settings" link lands on the first page the role opens: keys for admins, else members.
  dash.get("/p/:project/settings", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const first = TABS.find((t) => roleGrants(role, t.level)) ?? TABS[1];
    return c.redirect(`/app/p/${projectId}/settings/${first?.path ?? "members"}`, 303);
  });
  registerMembersPage(dash);
  registerLimitsPage(dash);
  registerAuditPage(dash);
}
