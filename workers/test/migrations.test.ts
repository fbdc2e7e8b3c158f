import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Each migration is applied to a database that already holds rows in the previous schema: a
// migration that rebuilds a table must keep every row, and one that adds aggregate triggers
// must not count existing rows again. Storage is per test file, so this file may rebuild the
// whole schema from nothing.

const migration = (prefix: string) => {
  const m = env.TEST_MIGRATIONS.find((x) => x.name.startsWith(prefix));
  if (!m) throw new Error(`no migration ${prefix}`);
  return m;
};

async function apply(prefix: string) {
  for (const query of migration(prefix).queries) await env.DB.prepare(query).run();
}

async function dropEverything() {
  const { results } = await env.DB.prepare(
    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ type: string; name: string }>();
  await env.DB.prepare("PRAGMA foreign_keys = OFF").run();
  for (const r of results) await env.DB.prepare(`DROP ${r.type.toUpperCase()} IF EXISTS "${r.name}"`).run();
}

const stats = (variantId: string) =>
  env.DB.prepare(
    "SELECT impressions AS i, opens AS o, conversions AS c FROM variant_daily_stats WHERE variant_id = ? AND day = '2026-11-20'",
  )
    .bind(variantId)
    .first();

describe("migrations on seeded data", () => {
  it("0001 keeps every event and impression, keeps the aggregates, and counts only new rows", async () => {
    await dropEverything();
    await apply("0000");
    const at = Date.UTC(2026, 10, 20, 9);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO projects (id, name, default_locale, challenger_count, created_at, updated_at) VALUES ('prj_m', 'm', 'en-US', 3, ?1, ?1)",
      ).bind(at),
      env.DB.prepare(
        "INSERT INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at, ingest_batch) VALUES ('imp_m1', 'prj_m', 'exp_m', 'var_m', 'u1', '2026-11-20', ?1, 'ing_old'), ('imp_m2', 'prj_m', 'exp_m', 'var_m', NULL, '2026-11-20', ?1, 'ing_old')",
      ).bind(at),
      env.DB.prepare(
        `INSERT INTO events (id, project_id, experiment_id, variant_id, impression_id, type, occurred_at, impression_at, day, properties, received_at, ingest_batch)
         VALUES ('evt_m1', 'prj_m', 'exp_m', 'var_m', 'imp_m1', 'opened', ?1, ?1, '2026-11-20', '{"screen":"home"}', ?1, 'ing_old')`,
      ).bind(at),
      env.DB.prepare(
        "INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions) VALUES ('prj_m', 'exp_m', 'var_m', '2026-11-20', 2, 1, 0)",
      ),
    ]);

    await apply("0001");

    expect(await stats("var_m")).toEqual({ i: 2, o: 1, c: 0 });
    const event = await env.DB.prepare("SELECT * FROM events WHERE impression_id = 'imp_m1'").first();
    expect(event).toEqual({
      project_id: "prj_m",
      experiment_id: "exp_m",
      variant_id: "var_m",
      impression_id: "imp_m1",
      type: "opened",
      occurred_at: at,
      impression_at: at,
      day: "2026-11-20",
      properties: '{"screen":"home"}',
      received_at: at,
    });
    const imps = await env.DB.prepare("SELECT id, user_id FROM impressions ORDER BY id").all();
    expect(imps.results).toEqual([
      { id: "imp_m1", user_id: "u1" },
      { id: "imp_m2", user_id: null },
    ]);

    // Triggers: a new impression counts; an event implies its missing impression; a duplicate
    // (impression, type) is ignored and counts nothing.
    const insertEvent = (impressionId: string, type: string) =>
      env.DB.prepare(
        `INSERT OR IGNORE INTO events (project_id, experiment_id, variant_id, impression_id, type, occurred_at, impression_at, day, properties, received_at)
         VALUES ('prj_m', 'exp_m', 'var_m', ?1, ?2, ?3, ?3, '2026-11-20', NULL, ?3)`,
      ).bind(impressionId, type, at);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT OR IGNORE INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at) VALUES ('imp_m3', 'prj_m', 'exp_m', 'var_m', NULL, '2026-11-20', ?1)",
      ).bind(at),
      insertEvent("imp_m1", "opened"), // already stored before the migration
      insertEvent("imp_m1", "conversion"),
      insertEvent("imp_m4", "opened"), // its impression never arrived
      insertEvent("imp_m4", "opened"),
    ]);
    expect(await stats("var_m")).toEqual({ i: 4, o: 2, c: 1 });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM events").first();
    expect(count).toEqual({ n: 3 });
  });
});
