import { env } from "cloudflare:workers";
import { PUSH_BATCH_SQL } from "@pushbunny/db";
import { describe, expect, it } from "vitest";

// A push batch touches 100 rows. A plan that walks the project's index instead of looking each
// id up costs a broadcast to N subscribers N²/100 row visits (a million at 10,000), so the
// per-batch statements are held to primary-key lookups here.

async function plan(sql: string): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind("prj_plan", 1, JSON.stringify(["x"]))
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

describe("push batch query plans", () => {
  it.each(Object.entries(PUSH_BATCH_SQL))("%s looks rows up by primary key", async (_name, sql) => {
    const steps = await plan(sql);
    const table = sql.includes("UPDATE deliveries") ? "deliveries" : "subscriptions";
    expect(
      steps.some((s) =>
        new RegExp(`SEARCH ${table} USING INDEX sqlite_autoindex_${table}_1 \\(id=\\?\\)`).test(s),
      ),
    ).toBe(true);
    // Never through a project-wide index or a scan of the table itself.
    expect(
      steps.filter((s) => /project_id=\?|_project_idx|_created_idx/.test(s) || s === `SCAN ${table}`),
    ).toEqual([]);
  });
});
