import { env } from "cloudflare:workers";
import { createDb, upsertGithubInstallation } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import { seedProject } from "../helpers";

describe("one installation, one project", () => {
  it("two setups finishing at once cannot link one installation to two projects", async () => {
    const db = createDb(env.DB);
    const [a, b] = [await seedProject(), await seedProject()];
    const installationId = 900_000 + Math.floor(Math.random() * 99_999);
    const link = (projectId: string) =>
      upsertGithubInstallation(db, {
        projectId,
        installationId,
        accountLogin: "race-co",
        accountType: "Organization",
        repositorySelection: "all",
        connectedBy: "user:usr_test",
        now: Date.now(),
      });
    const [first, second] = await Promise.all([link(a.projectId), link(b.projectId)]);
    expect([first, second].filter((r) => r !== null)).toHaveLength(1);
    const holders = await env.DB.prepare(
      "SELECT project_id FROM github_installations WHERE installation_id = ?",
    )
      .bind(installationId)
      .all<{ project_id: string }>();
    expect(holders.results).toHaveLength(1);
    // The holder may link it again (a reinstall), and the other still may not.
    const holder = first ? a.projectId : b.projectId;
    const other = first ? b.projectId : a.projectId;
    expect((await link(holder))?.installationId).toBe(installationId);
    expect(await link(other)).toBeNull();
  });
});
