import { env } from "cloudflare:workers";
import {
  analyzeExperiment,
  betaPosterior,
  chanceToBeat,
  monteCarloBest,
  monteCarloBestSamplers,
  quadratureBest,
} from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { escaped, get, ORIGIN, pageOf, post, signedIn } from "./dashboard-helpers";
import { call, eventually, experimentWithArms, json } from "./helpers";

// The experiment page's analysis, actions, bandit split and generation progress: every action goes
// through the page's form for a member, is refused for a viewer and without the CSRF token, and
// calls the same service as its API route. docs/adr/0021-dashboard-stack.md.

const DAY_MS = 86_400_000;

/** The JSON of every `data-plot` on a page. */
const plotsOf = (html: string) =>
  [...html.matchAll(/data-plot="([^"]+)"/g)].map(
    (m) =>
      JSON.parse(
        (m[1] ?? "")
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, "&"),
      ) as {
        title: string;
        labels: string[];
        datasets: { label: string; data: (number | null)[] }[];
      },
  );

const one = <T>(sql: string, ...binds: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .first<T>();

const day = (offset: number) => new Date(Date.now() - offset * DAY_MS).toISOString().slice(0, 10);

async function seedDaily(
  e: { projectId: string; experimentId: string },
  rows: { variantId: string; day: string; impressions: number; opens: number }[],
) {
  await env.DB.batch(
    rows.map((r) =>
      env.DB.prepare(
        "INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions) VALUES (?, ?, ?, ?, ?, ?, 0)",
      ).bind(e.projectId, e.experimentId, r.variantId, r.day, r.impressions, r.opens),
    ),
  );
}

/** An experiment with two arms, a member and a viewer, and the page's path. */
async function setUp(intent: string, extra = ["Second copy"]) {
  const e = await experimentWithArms(intent, extra);
  const member = await signedIn(e.projectId, "member");
  const viewer = await signedIn(e.projectId, "viewer");
  return { ...e, member, viewer, path: `/app/p/${e.projectId}/experiments/${e.experimentId}` };
}

describe("dashboard: experiment page actions", () => {
  it("each action is refused for a viewer (403 page) and without the CSRF token, and changes nothing", async () => {
    const s = await setUp("refusals");
    const snapshot = async () => ({
      variants: await one<{ n: number }>(
        "SELECT count(*) AS n FROM variants WHERE experiment_id = ?",
        s.experimentId,
      ),
      strategy: await one<{ strategy: string }>(
        "SELECT strategy FROM experiments WHERE id = ?",
        s.experimentId,
      ),
      analyses: await one<{ n: number }>(
        "SELECT count(*) AS n FROM analyses WHERE experiment_id = ?",
        s.experimentId,
      ),
      proposals: await one<{ n: number }>(
        "SELECT count(*) AS n FROM experiment_proposals WHERE experiment_id = ?",
        s.experimentId,
      ),
    });
    const before = await snapshot();
    const seen = await pageOf(s.path, s.viewer.jar);
    // A viewer sees the analysis but none of the forms that change things.
    for (const text of [
      "Add variant",
      "Change strategy",
      ">Analyze<",
      "Simulate",
      "Propose the next iteration",
    ]) {
      expect(seen.html).not.toContain(text);
    }
    const mine = await pageOf(s.path, s.member.jar);
    const actions: [string, Record<string, string>][] = [
      ["/variants", { text: "Viewer copy" }],
      ["/strategy", { strategy: "thompson" }],
      ["/winner/clear", { confirm: "yes" }],
      ["/analyze", {}],
      ["/simulate", { users: "50", days: "2", seed: "x" }],
      ["/iterate", {}],
      ["/iterate/prp_nothing/confirm", { confirm: "yes" }],
      ["/iterate/prp_nothing/discard", {}],
    ];
    for (const [suffix, fields] of actions) {
      const asViewer = await post(`${s.path}${suffix}`, s.viewer.jar, { ...fields, _csrf: seen.csrf });
      expect(asViewer.status, `${suffix} as a viewer`).toBe(403);
      expect(await asViewer.text()).toContain("does not allow you to change this project");
      const noToken = await post(`${s.path}${suffix}`, s.member.jar, fields);
      expect(noToken.status, `${suffix} without CSRF`).toBe(403);
      const wrongToken = await post(`${s.path}${suffix}`, s.member.jar, {
        ...fields,
        _csrf: `${mine.csrf}x`,
      });
      expect(wrongToken.status, `${suffix} with a wrong token`).toBe(403);
    }
    const retire = await get(`${s.path}/variants/${s.variants[1]?.id}/retire`, s.viewer.jar);
    expect(retire.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it("adds a variant (escaped on the page) and changes the strategy through the forms", async () => {
    const s = await setUp("add_and_strategy");
    const { csrf, html } = await pageOf(s.path, s.member.jar);
    expect(html).toContain('<option value="round_robin" selected="">');
    const copy = `<img src=x onerror=alert(1)> 20% & "more"`;
    const added = await post(`${s.path}/variants`, s.member.jar, {
      _csrf: csrf,
      text: copy,
      reason: "by hand",
    });
    expect(added.status, await added.clone().text()).toBe(303);
    expect(added.headers.get("location")).toBe(s.path);
    const row = await one<{ source: string; status: string }>(
      "SELECT source, status FROM variants WHERE experiment_id = ? AND text = ?",
      s.experimentId,
      copy,
    );
    expect(row).toEqual({ source: "manual", status: "active" });
    const history = await one<{ actor: string; reason: string }>(
      "SELECT actor, reason FROM experiment_history WHERE experiment_id = ? AND action = 'variant_added' AND actor LIKE 'user:%'",
      s.experimentId,
    );
    expect(history).toEqual({ actor: `user:${s.member.userId}`, reason: "by hand" });
    const after = await pageOf(s.path, s.member.jar);
    expect(after.html).toContain(escaped(copy));
    expect(after.html).not.toContain("<img src=x");
    // The same text again is the service's 409, shown as a page.
    const again = await post(`${s.path}/variants`, s.member.jar, { _csrf: csrf, text: copy });
    expect(again.status).toBe(409);

    const changed = await post(`${s.path}/strategy`, s.member.jar, { _csrf: csrf, strategy: "thompson" });
    expect(changed.status, await changed.clone().text()).toBe(303);
    expect(
      await one<{ strategy: string }>("SELECT strategy FROM experiments WHERE id = ?", s.experimentId),
    ).toEqual({ strategy: "thompson" });
    const unknown = await post(`${s.path}/strategy`, s.member.jar, { _csrf: csrf, strategy: "ucb" });
    expect(unknown.status).toBe(400);
  });

  it("clears a winner only after the confirm step", async () => {
    const s = await setUp("clear_winner");
    const { csrf } = await pageOf(s.path, s.member.jar);
    const won = await post(`${s.path}/variants/${s.variants[1]?.id}/winner`, s.member.jar, { _csrf: csrf });
    expect(won.status).toBe(303);
    const winner = () =>
      one<{ w: string | null }>(
        "SELECT winner_variant_id AS w FROM experiments WHERE id = ?",
        s.experimentId,
      );
    expect((await winner())?.w).toBe(s.variants[1]?.id);
    const page = await pageOf(s.path, s.member.jar);
    expect(page.html).toContain(`action="${s.path}/winner/clear"`);
    expect(page.html).toMatch(/<input type="checkbox" name="confirm" value="yes" required=""\/>I understand/);

    // Without the box: the confirm page, and nothing changes.
    const unconfirmed = await post(`${s.path}/winner/clear`, s.member.jar, { _csrf: csrf });
    const confirmHtml = await unconfirmed.text();
    expect(unconfirmed.status).toBe(200);
    expect(confirmHtml).toContain("Clear the winner?");
    expect(confirmHtml).toContain('name="confirm"');
    expect((await winner())?.w).toBe(s.variants[1]?.id);

    const cleared = await post(`${s.path}/winner/clear`, s.member.jar, { _csrf: csrf, confirm: "yes" });
    expect(cleared.status, await cleared.clone().text()).toBe(303);
    expect((await winner())?.w).toBeNull();
    const after = await pageOf(s.path, s.member.jar);
    expect(after.html).not.toContain(`action="${s.path}/winner/clear"`);
  });

  it("retire goes through a confirm page that posts with the box", async () => {
    const s = await setUp("retire_confirm", ["Second copy", "Third <b>copy</b>"]);
    const third = s.variants[2];
    const { html } = await pageOf(s.path, s.member.jar);
    expect(html).toContain(`<form method="get" action="${s.path}/variants/${third?.id}/retire">`);
    const confirm = await pageOf(`${s.path}/variants/${third?.id}/retire`, s.member.jar);
    expect(confirm.html).toContain("Retire this variant?");
    expect(confirm.html).toContain(escaped("Third <b>copy</b>"));
    expect(confirm.html).toContain(`action="${s.path}/variants/${third?.id}/retire"`);
    const done = await post(`${s.path}/variants/${third?.id}/retire`, s.member.jar, {
      _csrf: confirm.csrf,
      confirm: "yes",
    });
    expect(done.status).toBe(303);
    expect(await one<{ status: string }>("SELECT status FROM variants WHERE id = ?", third?.id)).toEqual({
      status: "retired",
    });
  });
});

describe("dashboard: experiment page analysis", () => {
  it("shows 'No analysis yet' with the Analyze button, then the analysis's summary, insights and plots", async () => {
    const s = await setUp("analysis_page", ["Hurry <script>alert(1)</script> back"]);
    const [control, challenger] = s.variants;
    await seedDaily(s, [
      { variantId: control?.id ?? "", day: day(2), impressions: 400, opens: 40 },
      { variantId: challenger?.id ?? "", day: day(2), impressions: 400, opens: 60 },
      { variantId: control?.id ?? "", day: day(1), impressions: 300, opens: 30 },
      { variantId: challenger?.id ?? "", day: day(1), impressions: 300, opens: 45 },
    ]);
    const before = await pageOf(s.path, s.member.jar);
    expect(before.html).toContain("No analysis yet.");
    expect(before.html).toContain(`action="${s.path}/analyze"`);
    const viewerBefore = await pageOf(s.path, s.viewer.jar);
    expect(viewerBefore.html).toContain("No analysis yet.");

    const res = await post(`${s.path}/analyze`, s.member.jar, { _csrf: before.csrf });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get("location")).toBe(`${s.path}#analysis`);
    const stored = await one<{ report: string; provider: string }>(
      "SELECT report, provider FROM analyses WHERE experiment_id = ? ORDER BY created_at DESC LIMIT 1",
      s.experimentId,
    );
    const report = JSON.parse(stored?.report ?? "{}") as {
      summary: string;
      insights: string[];
      winner_recommendation: { rationale: string };
      plots: {
        data: { labels: string[]; datasets: { label: string; data: number[] }[] };
        options: unknown;
      }[];
    };
    expect(report.insights.length).toBeGreaterThan(0);

    const { html } = await pageOf(s.path, s.viewer.jar);
    expect(html).not.toContain("No analysis yet.");
    expect(html).toContain(escaped(report.summary));
    for (const insight of report.insights) expect(html).toContain(escaped(insight));
    expect(html).toContain(escaped(report.winner_recommendation.rationale));
    // Every stored plot is drawn from its own labels and numbers, with a table of them.
    const drawn = plotsOf(html);
    for (const plot of report.plots) {
      const match = drawn.find(
        (d) =>
          JSON.stringify(d.labels) === JSON.stringify(plot.data.labels) &&
          JSON.stringify(d.datasets) === JSON.stringify(plot.data.datasets),
      );
      expect(match, JSON.stringify(plot.data)).toBeDefined();
    }
    const firstValue = report.plots[0]?.data.datasets[0]?.data[0] ?? Number.NaN;
    expect(html).toContain(
      `<td class="num">${firstValue.toLocaleString("en-US", { maximumFractionDigits: 2 })}</td>`,
    );
    // LLM and variant copy is escaped wherever it appears.
    expect(html).not.toContain("<script>alert(1)</script>");
  });

  it("shows the 429 page once the analysis quota is spent", async () => {
    const s = await setUp("analysis_quota");
    await json(
      await call(`/v1/projects/${s.projectId}/limits`, {
        method: "PUT",
        key: s.apiKey,
        body: { analysis: "1/hour" },
      }),
      200,
    );
    const { csrf } = await pageOf(s.path, s.member.jar);
    expect((await post(`${s.path}/analyze`, s.member.jar, { _csrf: csrf })).status).toBe(303);
    const spent = await post(`${s.path}/analyze`, s.member.jar, { _csrf: csrf });
    const html = await spent.text();
    expect(spent.status).toBe(429);
    expect(spent.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(html).toContain("Slow down");
    expect(html).toContain("analysis quota reached");
  });

  it("simulates and shows what the simulation returned, as a page and as an htmx partial", async () => {
    const s = await setUp("simulate_page");
    const { csrf, html: before } = await pageOf(s.path, s.member.jar);
    const [control, challenger] = s.variants;
    expect(before).toContain(`name="open_rate.${challenger?.id}"`);
    const res = await post(`${s.path}/simulate`, s.member.jar, {
      _csrf: csrf,
      users: "300",
      days: "3",
      seed: "dash",
      [`open_rate.${control?.id}`]: "5",
      [`open_rate.${challenger?.id}`]: "20",
    });
    const html = await res.text();
    expect(res.status, html.slice(0, 1500)).toBe(200);
    expect(html).toContain("<h1>Simulation result</h1>");
    expect(html).toContain("300 simulated users over 3 days");
    expect(html).toContain("300 impressions");
    const sims = await one<{ n: number }>(
      "SELECT count(*) AS n FROM impressions WHERE experiment_id = ? AND id LIKE 'sim_%'",
      s.experimentId,
    );
    expect(sims?.n).toBe(300);
    // The true rates it drew from, as the service resolved them.
    expect(html).toContain('<td class="num">20.0%</td>');
    const analysis = await one<{ n: number }>(
      "SELECT count(*) AS n FROM analyses WHERE experiment_id = ? AND source = 'simulation'",
      s.experimentId,
    );
    expect(analysis?.n).toBe(1);

    const partial = await post(
      `${s.path}/simulate`,
      s.member.jar,
      { users: "40", days: "1" },
      { origin: ORIGIN, "hx-request": "true", "x-csrf-token": csrf },
    );
    const fragment = await partial.text();
    expect(partial.status, fragment.slice(0, 500)).toBe(200);
    expect(fragment).not.toContain("<html");
    expect(fragment).toContain("40 simulated users over 1 days");
    const bad = await post(`${s.path}/simulate`, s.member.jar, { _csrf: csrf, users: "5" });
    expect(bad.status).toBe(400);
  });

  it("proposes an iteration; confirm applies it after the confirm step, discard drops another", async () => {
    const s = await setUp("iterate_page");
    const { csrf } = await pageOf(s.path, s.member.jar);
    const proposed = await post(`${s.path}/iterate`, s.member.jar, { _csrf: csrf });
    expect(proposed.status, await proposed.clone().text()).toBe(303);
    const location = proposed.headers.get("location") ?? "";
    const id = /proposal=(prp_[\w-]+)/.exec(location)?.[1] ?? "";
    expect(id).not.toBe("");
    const stored = await one<{ proposal: string; status: string }>(
      "SELECT proposal, status FROM experiment_proposals WHERE id = ?",
      id,
    );
    const challengers = (JSON.parse(stored?.proposal ?? "{}") as { challengers: string[] }).challengers;
    expect(challengers.length).toBeGreaterThan(0);

    const shown = await pageOf(location.replace(/#.*/, ""), s.member.jar);
    for (const t of challengers) expect(shown.html).toContain(escaped(t));
    expect(shown.html).toContain(`action="${s.path}/iterate/${id}/confirm"`);
    expect(shown.html).toContain(`action="${s.path}/iterate/${id}/discard"`);
    const viewerView = await pageOf(location.replace(/#.*/, ""), s.viewer.jar);
    expect(viewerView.html).toContain(escaped(challengers[0] ?? ""));
    expect(viewerView.html).not.toContain(`${id}/confirm`);

    const unconfirmed = await post(`${s.path}/iterate/${id}/confirm`, s.member.jar, { _csrf: csrf });
    expect(unconfirmed.status).toBe(200);
    expect(await unconfirmed.text()).toContain("Apply this iteration?");
    expect(
      (await one<{ status: string }>("SELECT status FROM experiment_proposals WHERE id = ?", id))?.status,
    ).toBe("pending");
    const applied = await post(`${s.path}/iterate/${id}/confirm`, s.member.jar, {
      _csrf: csrf,
      confirm: "yes",
    });
    expect(applied.status, await applied.clone().text()).toBe(303);
    expect(
      (await one<{ status: string }>("SELECT status FROM experiment_proposals WHERE id = ?", id))?.status,
    ).toBe("applied");
    for (const t of challengers) {
      expect(
        await one<{ source: string }>(
          "SELECT source FROM variants WHERE experiment_id = ? AND text = ?",
          s.experimentId,
          t,
        ),
      ).toEqual({ source: "llm" });
    }
    const after = await pageOf(`${s.path}?proposal=${id}`, s.member.jar);
    expect(after.html).toContain("Status: <strong>applied</strong>");
    expect(after.html).not.toContain(`${id}/confirm"`);
    // Applying twice is the service's 409.
    expect(
      (await post(`${s.path}/iterate/${id}/confirm`, s.member.jar, { _csrf: csrf, confirm: "yes" })).status,
    ).toBe(409);

    const variantsBefore = await one<{ n: number }>(
      "SELECT count(*) AS n FROM variants WHERE experiment_id = ?",
      s.experimentId,
    );
    const second = await post(`${s.path}/iterate`, s.member.jar, { _csrf: csrf });
    const secondId = /proposal=(prp_[\w-]+)/.exec(second.headers.get("location") ?? "")?.[1] ?? "";
    const discarded = await post(`${s.path}/iterate/${secondId}/discard`, s.member.jar, { _csrf: csrf });
    expect(discarded.status, await discarded.clone().text()).toBe(303);
    expect(
      (await one<{ status: string }>("SELECT status FROM experiment_proposals WHERE id = ?", secondId))
        ?.status,
    ).toBe("discarded");
    expect(
      await one<{ n: number }>("SELECT count(*) AS n FROM variants WHERE experiment_id = ?", s.experimentId),
    ).toEqual(variantsBefore);
  });
});

describe("dashboard: experiment page traffic split and progress", () => {
  it("charts each arm's daily share for a bandit, not for a fixed split", async () => {
    const s = await setUp("split_chart");
    const [control, challenger] = s.variants;
    await seedDaily(s, [
      { variantId: control?.id ?? "", day: day(2), impressions: 30, opens: 3 },
      { variantId: challenger?.id ?? "", day: day(2), impressions: 10, opens: 2 },
      { variantId: control?.id ?? "", day: day(1), impressions: 20, opens: 1 },
      { variantId: challenger?.id ?? "", day: day(1), impressions: 60, opens: 9 },
    ]);
    const fixed = await pageOf(s.path, s.member.jar);
    expect(fixed.html).not.toContain("Traffic split");
    expect(plotsOf(fixed.html)).toEqual([]);

    const changed = await post(`${s.path}/strategy`, s.member.jar, {
      _csrf: fixed.csrf,
      strategy: "thompson",
    });
    expect(changed.status).toBe(303);
    const { html } = await pageOf(s.path, s.viewer.jar);
    expect(html).toContain("Traffic split");
    const split = plotsOf(html).find((p) => p.title === "Traffic split per day");
    // Today may carry the impression of the message that created the experiment, once its
    // consumer has run: the seeded days are the first two.
    expect(split?.labels.slice(0, 2)).toEqual([day(2), day(1)]);
    expect(split?.datasets.map((d) => d.data.slice(0, 2))).toEqual([
      [75, 25],
      [25, 75],
    ]);
    // The daily charts of the page are still the two `data-chart`s (the bench counts them).
    expect((html.match(/data-chart=/g) ?? []).length).toBe(2);
  });

  it("polls the generation badge while pending and stops once done", async () => {
    const s = await setUp("generation_progress");
    await env.DB.prepare("UPDATE experiments SET generation_status = 'pending' WHERE id = ?")
      .bind(s.experimentId)
      .run();
    const { html } = await pageOf(s.path, s.viewer.jar);
    expect(html).toContain(`hx-get="${s.path}/generation"`);
    expect(html).toContain('hx-trigger="every 4s"');
    expect(html).toContain("challengers are being written");

    const pending = await get(`${s.path}/generation`, s.viewer.jar, { "hx-request": "true" });
    const pendingHtml = await pending.text();
    expect(pending.status).toBe(200);
    expect(pendingHtml).not.toContain("<html");
    expect(pendingHtml).toContain('hx-trigger="every 4s"');

    await env.DB.prepare("UPDATE experiments SET generation_status = 'ready' WHERE id = ?")
      .bind(s.experimentId)
      .run();
    const done = await get(`${s.path}/generation`, s.viewer.jar, { "hx-request": "true" });
    const doneHtml = await done.text();
    expect(done.status).toBe(200);
    expect(doneHtml).not.toContain("hx-trigger");
    expect(doneHtml).toContain(`<a href="${s.path}">reload to see the new variants</a>`);
    const ready = await pageOf(s.path, s.viewer.jar);
    expect(ready.html).not.toContain('hx-trigger="every 4s"');

    // Another project's experiment through this project's URL is a 404.
    const other = await setUp("generation_other");
    expect(
      (await get(`/app/p/${s.projectId}/experiments/${other.experimentId}/generation`, s.viewer.jar)).status,
    ).toBe(404);
  });
});

describe("dashboard: experiment page statistics", () => {
  it("shows the same P(best) as GET /v1/stats for the experiment's intent and locale", async () => {
    const s = await setUp("stats_same", ["Second copy", "Third copy"]);
    const [a, b, c] = s.variants;
    // The first message's impression lands through the queue: wait for it, so the API and the
    // page read the same counts.
    await eventually(async () => {
      const n = await one<{ n: number }>(
        "SELECT coalesce(sum(impressions), 0) AS n FROM variant_daily_stats WHERE experiment_id = ?",
        s.experimentId,
      );
      expect(n?.n).toBeGreaterThan(0);
    });
    await seedDaily(s, [
      { variantId: a?.id ?? "", day: day(1), impressions: 900, opens: 90 },
      { variantId: b?.id ?? "", day: day(1), impressions: 900, opens: 110 },
      { variantId: c?.id ?? "", day: day(1), impressions: 900, opens: 99 },
    ]);
    const api = await json<{ variants: { variant_id: string; statistics: { p_best: number } | null }[] }>(
      await call("/v1/stats?intent_id=stats_same", { key: s.apiKey }),
      200,
    );
    const { html } = await pageOf(s.path, s.viewer.jar);
    for (const v of api.variants) {
      const pBest = v.statistics?.p_best ?? Number.NaN;
      expect(html).toContain(`<td class="num">${(pBest * 100).toFixed(1)}%</td>`);
    }
  });

  it("P(best) and expected loss by quadrature: the closed form for two arms, Monte Carlo for more", () => {
    const pairs: [number, number, number, number][] = [
      [0, 0, 10, 9],
      [100, 10, 100, 15],
      [13_000, 1_500, 13_300, 1_540],
      [200_000, 10_000, 30, 2],
      [3, 3, 3, 0],
    ];
    for (const [n1, s1, n2, s2] of pairs) {
      const arms = [betaPosterior(n1, s1), betaPosterior(n2, s2)];
      const q = quadratureBest(arms);
      const [first, second] = arms;
      if (!q || !first || !second) throw new Error("no estimate");
      expect(Math.abs((q.pBest[1] ?? 0) - chanceToBeat(first, second))).toBeLessThan(1e-6);
      expect((q.pBest[0] ?? 0) + (q.pBest[1] ?? 0)).toBeCloseTo(1, 12);
    }
    // E[max of two uniforms] − 1/2 = 1/6.
    expect(quadratureBest([betaPosterior(0, 0), betaPosterior(0, 0)])?.expectedLoss[0]).toBeCloseTo(1 / 6, 6);
    // Four arms: within 4 standard errors of 400,000 draws (0.0008 on P(best)).
    const four = [0, 1, 2, 3].map((j) => betaPosterior(11_000 + j * 300, 1_500 + j * 40));
    const q = quadratureBest(four);
    const mc = monteCarloBest(four, 400_000, 5);
    for (const [i, p] of (q?.pBest ?? []).entries())
      expect(Math.abs(p - (mc.pBest[i] ?? 0))).toBeLessThan(0.003);
    for (const [i, l] of (q?.expectedLoss ?? []).entries()) {
      expect(Math.abs(l - (mc.expectedLoss[i] ?? 0))).toBeLessThan(5e-5);
    }
    // analyzeExperiment reports them.
    const a = analyzeExperiment({
      arms: four.map((p, j) => ({
        id: `v${j}`,
        control: j === 0,
        impressions: p.alpha + p.beta - 2,
        successes: p.alpha - 1,
      })),
    });
    expect(a.arms.map((x) => x.pBest)).toEqual(q?.pBest);
  });

  it("the inlined Monte Carlo gives the samplers' numbers to the last bit", () => {
    const cases = [
      [betaPosterior(13_000, 1_500), betaPosterior(13_300, 1_540), betaPosterior(12_800, 1_480)],
      [betaPosterior(0, 0), betaPosterior(10, 9)],
      [betaPosterior(5, 0), betaPosterior(200_000, 3), betaPosterior(7, 7), betaPosterior(1_000, 500)],
      [
        { alpha: 1.5, beta: 2.25 },
        { alpha: 3, beta: 1 },
      ],
    ];
    for (const [i, arms] of cases.entries()) {
      expect(monteCarloBest(arms, 4_000, 17 + i)).toEqual(monteCarloBestSamplers(arms, 4_000, 17 + i));
    }
    // Shapes below 1 take the samplers' path.
    const small = [
      { alpha: 0.5, beta: 3 },
      { alpha: 2, beta: 0.25 },
    ];
    expect(monteCarloBest(small, 1_000, 3)).toEqual(monteCarloBestSamplers(small, 1_000, 3));
  });
});
