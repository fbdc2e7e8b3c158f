import { dailyCounts, type VariantRow } from "@pushbunny/db";
import { armLabel } from "@pushbunny/llm";
import type { Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { NotFoundError } from "../../errors";
import type { Analysis } from "../../services/analysis/analyses";
import { getLatestAnalysis } from "../../services/analysis/get-analysis";
import { getProposal } from "../../services/analysis/get-proposal";
import { comparedArms } from "../../services/analysis/statistics";
import { declareWinner } from "../../services/experiments/declare-winner";
import { getExperiment } from "../../services/experiments/get-experiment";
import { retireVariant } from "../../services/experiments/retire-variant";
import { setExperimentStatus } from "../../services/experiments/set-status";
import { getExperimentStats, type VariantStats } from "../../services/stats/get-stats";
import { page, projectOf, sessionOf } from "../context";
import { int, interval, pct, STRATEGY_LABEL, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import {
  confirmed,
  ExperimentActions,
  GenerationStatus,
  registerExperimentActions,
} from "./experiment-actions";
import { AnalysisSection, ProposalSection, registerAnalysisActions } from "./experiment-analysis";
import { BANDIT_STRATEGIES, Plot, trafficSplit } from "./experiment-plot";
import { DecisionBadge } from "./experiments";

/** The daily table repeats the charts' last days in text; the whole range is in the charts. */
const TABLE_DAYS = 14;

/** How a variant is named in the chart legends and the daily table. */
const labelOf = (v: VariantRow, i: number) => {
  const text = v.text.length > 40 ? `${v.text.slice(0, 39)}…` : v.text;
  return `${i + 1}. ${text} (${v.source})`;
};

export interface ChartSpec {
  days: string[];
  yLabel: string;
  series: { label: string; values: (number | null)[] }[];
}

/** Per day and variant: impressions, and the goal metric's rate (null on days without traffic). */
export function dailySeries(
  variants: VariantRow[],
  daily: { variantId: string; day: string; impressions: number; opens: number; conversions: number }[],
  goal: "opened" | "conversion",
): { impressions: ChartSpec; rate: ChartSpec } {
  const days = [...new Set(daily.map((d) => d.day))].sort();
  const at = new Map(daily.map((d) => [`${d.day}|${d.variantId}`, d]));
  const goalName = goal === "conversion" ? "conversion rate" : "open rate";
  return {
    impressions: {
      days,
      yLabel: "impressions",
      series: variants.map((v, i) => ({
        label: labelOf(v, i),
        values: days.map((day) => at.get(`${day}|${v.id}`)?.impressions ?? 0),
      })),
    },
    rate: {
      days,
      yLabel: `${goalName} (%)`,
      series: variants.map((v, i) => ({
        label: labelOf(v, i),
        values: days.map((day) => {
          const d = at.get(`${day}|${v.id}`);
          if (!d || d.impressions === 0) return null;
          const successes = goal === "conversion" ? d.conversions : d.opens;
          return Math.round((Math.min(successes, d.impressions) / d.impressions) * 10_000) / 100;
        }),
      })),
    },
  };
}

export function Chart(p: { spec: ChartSpec; label: string }) {
  return (
    <figure class="panel">
      <figcaption>
        <strong>{p.label}</strong>
      </figcaption>
      <div class="chart" data-chart={JSON.stringify(p.spec)} role="img" aria-label={`${p.label}, by day`}>
        <p class="muted">The chart needs JavaScript; the daily numbers are in the table below.</p>
      </div>
    </figure>
  );
}

/** The arms a simulation draws for, named as analyses name them: Control, then B, C … */
function simulatedArms(variants: VariantRow[]): { id: string; label: string }[] {
  let n = 0;
  return comparedArms(variants)
    .filter((v) => v.status !== "retired")
    .map((v) => {
      const control = v.source === "control";
      return { id: v.id, label: armLabel(control ? 0 : ++n, control) };
    });
}

/** What a member may do to one arm: the verbs behind the variant routes of /v1/experiments. */
function VariantActions(p: { base: string; v: VariantRow; csrf: string }) {
  if (p.v.status !== "active") return <span class="muted">—</span>;
  const url = `${p.base}/variants/${p.v.id}`;
  return (
    <>
      <form method="post" action={`${url}/winner`}>
        <Csrf token={p.csrf} />
        <button
          type="submit"
          class="secondary"
          aria-label={`Declare winner (served to everyone but the holdout): ${p.v.text}`}
        >
          Declare winner
        </button>
      </form>
      {p.v.source === "control" ? null : (
        // Retiring is final for the arm: the button leads to its confirm step.
        <form method="get" action={`${url}/retire`}>
          <button type="submit" class="danger" aria-label={`Retire: ${p.v.text}`}>
            Retire…
          </button>
        </form>
      )}
    </>
  );
}

function VariantTable(p: {
  rows: VariantStats[];
  goal: string;
  /** Set when the person may change the experiment: adds the actions column. */
  actions?: { base: string; csrf: string };
}) {
  return (
    <ScrollBox label="Variants table">
      <table>
        <caption class="muted">
          Intervals are 95% on the goal metric ({p.goal === "conversion" ? "conversions" : "opens"}); P(best)
          is the posterior chance the arm is the best.
        </caption>
        <thead>
          <tr>
            <th scope="col">Text</th>
            <th scope="col">Source</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Impressions
            </th>
            <th scope="col" class="num">
              Opens
            </th>
            <th scope="col" class="num">
              Conversions
            </th>
            <th scope="col" class="num">
              Open rate
            </th>
            <th scope="col" class="num">
              Conv. rate
            </th>
            <th scope="col" class="num">
              95% interval
            </th>
            <th scope="col" class="num">
              P(best)
            </th>
            {p.actions ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <th scope="row">{r.variant.text}</th>
              <td>{r.variant.source}</td>
              <td>{r.variant.status}</td>
              <td class="num">{int(r.impressions)}</td>
              <td class="num">{int(r.opens)}</td>
              <td class="num">{int(r.conversions)}</td>
              <td class="num">{pct(r.openRate)}</td>
              <td class="num">{pct(r.conversionRate)}</td>
              <td class="num">{r.statistics ? interval(r.statistics.ci95) : "—"}</td>
              <td class="num">{r.statistics ? pct(r.statistics.pBest) : "—"}</td>
              {p.actions ? (
                <td>
                  <VariantActions base={p.actions.base} v={r.variant} csrf={p.actions.csrf} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const settle = <T,>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

const settled = <T,>(s: Settled<T>): T => {
  if (!s.ok) throw s.error;
  return s.value;
};

export function registerExperimentPage(dash: Hono<DashEnv>): void {
  registerExperimentActions(dash);
  registerAnalysisActions(dash);

  // Declare a winner or retire an arm: the verbs behind the variant routes of /v1/experiments.
  for (const action of ["winner", "retire"] as const) {
    dash.post(`/p/:project/experiments/:experiment/variants/:variant/${action}`, async (c) => {
      const session = sessionOf(c);
      const { projectId } = await projectOf(c, "write");
      const input = { experimentId: c.req.param("experiment"), variantId: c.req.param("variant") };
      // Retiring is not undone by a click: without the ticked box, the confirm page first.
      if (action === "retire" && !(await confirmed(c))) return c.redirect(c.req.path, 303);
      const actor = `user:${session.userId}`;
      const ctx = c.get("ctx");
      const done =
        action === "winner"
          ? await declareWinner({ ctx, projectId, actor, input })
          : await retireVariant({ ctx, projectId, actor, input });
      return c.redirect(`/app/p/${projectId}/experiments/${done.experiment.id}`, 303);
    });
  }

  // Pause or resume: the verb behind POST /v1/experiments/{id}/pause and …/resume.
  dash.post("/p/:project/experiments/:experiment/status", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const reason =
      typeof form.reason === "string" && form.reason.trim() ? form.reason.trim().slice(0, 500) : undefined;
    const experiment = await setExperimentStatus({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: {
        experimentId: c.req.param("experiment"),
        status: form.status === "paused" ? "paused" : "running",
        reason,
      },
    });
    return c.redirect(`/app/p/${projectId}/experiments/${experiment.experiment.id}`, 303);
  });

  dash.get("/p/:project/experiments/:experiment", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const csrf = sessionOf(c).csrf;
    const ctx = c.get("ctx");
    const experimentId = c.req.param("experiment");
    const proposalId = c.req.query("proposal");
    // Reads that need only the id start with the experiment's. They settle into values, so a
    // failure waits for getExperiment (whose 404 comes first) instead of going unhandled.
    const dailyRead = settle(dailyCounts(ctx.db, { projectId, experimentId }));
    const analysisRead = settle(
      getLatestAnalysis({ ctx, projectId, input: { experimentId, simulated: false } }).catch(
        (err: unknown): Analysis | null => {
          if (err instanceof NotFoundError) return null;
          throw err;
        },
      ),
    );
    const proposalRead = settle(
      proposalId
        ? getProposal({ ctx, projectId, input: { experimentId, proposalId } })
        : Promise.resolve(null),
    );
    const detail = await getExperiment({ ctx, projectId, input: { experimentId } });
    const e = detail.experiment;
    // The stats of this experiment from the rows getExperiment read: what GET /v1/stats answers
    // for its intent and locale, without reading the experiment and its variants again.
    // The all-time counts are the sums of the daily rows the charts read: not summed again in D1.
    const daily = settled(await dailyRead);
    const [stats, analysis, proposal] = await Promise.all([
      getExperimentStats({ ctx, projectId, input: { experiment: e, variants: detail.variants, daily } }),
      analysisRead.then(settled),
      proposalRead.then(settled),
    ]);
    const canWrite = roleGrants(role, "write");
    const base = `/app/p/${projectId}/experiments/${e.id}`;
    const arms = detail.variants.filter((v) => v.source !== "holdout");
    const rows = stats.variants.filter((v) => v.variant.experimentId === e.id);
    const own = stats.experiments.find((x) => x.experiment.id === e.id);
    const series = dailySeries(arms, daily, e.goalMetric);
    const hasDays = series.impressions.days.length > 0;
    const firstTableDay = series.impressions.days.at(-TABLE_DAYS) ?? "";
    const decision = own?.decision ?? null;
    return page(c, {
      title: `${e.intentId} (${e.locale})`,
      projectId,
      current: "experiments",
      charts: hasDays || (analysis?.report.plots.length ?? 0) > 0,
      children: (
        <>
          <p>
            <a href={`/app/p/${projectId}/experiments`}>← Experiments</a>
          </p>
          <h1>
            {e.intentId} <span class="muted">({e.locale})</span>
          </h1>
          <section class="panel" aria-label="Summary">
            <p>
              <strong>Base example:</strong> {e.baseExample}
            </p>
            <p>
              {STRATEGY_LABEL[e.strategy] ?? e.strategy} · {e.status} · goal: {e.goalMetric} · generation{" "}
              <GenerationStatus e={e} projectId={projectId} />
            </p>
            {e.generationError ? <p class="error">Generation failed: {e.generationError}</p> : null}
            <p>
              {int(detail.totals.impressions)} impressions · {int(detail.totals.opens)} opens ·{" "}
              {int(detail.totals.conversions)} conversions
            </p>
            <p>
              Decision: <DecisionBadge status={decision?.status} />{" "}
              {decision ? <span>{decision.reason}</span> : null}
            </p>
            {own?.srm?.alarm ? (
              <p class="error">
                Sample ratio mismatch (p = {own.srm.pValue.toPrecision(2)}): the traffic split is not what the
                strategy intended; check for bugs before trusting the rates.
              </p>
            ) : null}
            {own?.holdout ? (
              <p>
                Holdout: {int(own.holdout.impressions)} impressions, rate {pct(own.holdout.rate)} (
                {interval(own.holdout.ci95)})
              </p>
            ) : null}
          </section>
          {proposal ? (
            <ProposalSection proposal={proposal} base={base} csrf={csrf} canWrite={canWrite} />
          ) : null}
          {canWrite ? (
            <form
              class="panel filters"
              method="post"
              action={`/app/p/${projectId}/experiments/${e.id}/status`}
              aria-label={e.status === "running" ? "Pause the experiment" : "Resume the experiment"}
            >
              <Csrf token={csrf} />
              <input type="hidden" name="status" value={e.status === "running" ? "paused" : "running"} />
              <label>
                Reason (kept in the history)
                <input name="reason" maxlength={500} />
              </label>
              <button type="submit" class={e.status === "running" ? "danger" : undefined}>
                {e.status === "running" ? "Pause: everyone gets the control" : "Resume the experiment"}
              </button>
            </form>
          ) : null}
          <h2>Variants</h2>
          <VariantTable rows={rows} goal={e.goalMetric} actions={canWrite ? { base, csrf } : undefined} />
          {canWrite ? <ExperimentActions e={e} variants={detail.variants} base={base} csrf={csrf} /> : null}
          <h2>By day</h2>
          {hasDays ? (
            <>
              <Chart spec={series.impressions} label="Impressions per variant" />
              <Chart spec={series.rate} label={`${series.rate.yLabel} per variant`} />
              {BANDIT_STRATEGIES.has(e.strategy) ? (
                <section aria-labelledby="split-title">
                  <h3 id="split-title">Traffic split</h3>
                  <p class="muted">
                    A bandit moves traffic toward the arms that look best, so each arm's share changes day by
                    day; fixed splits (round-robin, sticky) stay even and are not charted.
                  </p>
                  <Plot
                    spec={trafficSplit(
                      arms.map((v, i) => ({ variant: v, label: labelOf(v, i) })),
                      daily,
                    )}
                    lastRows={TABLE_DAYS}
                  />
                </section>
              ) : null}
              <details class="panel">
                <summary>Daily numbers, last {TABLE_DAYS} days</summary>
                <ScrollBox label="Daily numbers table">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Day (UTC)</th>
                        <th scope="col">Variant</th>
                        <th scope="col" class="num">
                          Impressions
                        </th>
                        <th scope="col" class="num">
                          Opens
                        </th>
                        <th scope="col" class="num">
                          Conversions
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {daily
                        .filter((d) => d.day >= firstTableDay)
                        .sort((a, b) =>
                          a.day === b.day ? a.variantId.localeCompare(b.variantId) : a.day < b.day ? -1 : 1,
                        )
                        .map((d) => {
                          const i = arms.findIndex((v) => v.id === d.variantId);
                          const v = arms[i];
                          return v ? (
                            <tr>
                              <td>{d.day}</td>
                              <td>{labelOf(v, i)}</td>
                              <td class="num">{int(d.impressions)}</td>
                              <td class="num">{int(d.opens)}</td>
                              <td class="num">{int(d.conversions)}</td>
                            </tr>
                          ) : null;
                        })}
                    </tbody>
                  </table>
                </ScrollBox>
              </details>
            </>
          ) : (
            <p class="panel">
              No traffic yet: the chart fills in as your app reports impressions and events.
            </p>
          )}
          <AnalysisSection
            analysis={analysis}
            base={base}
            csrf={csrf}
            canWrite={canWrite}
            arms={simulatedArms(detail.variants)}
          />
          <h2>History</h2>
          {detail.history.length === 0 ? (
            <p class="muted">No changes yet.</p>
          ) : (
            <ul class="panel">
              {detail.history.slice(0, 50).map((h) => (
                <li>
                  <time datetime={new Date(h.at).toISOString()}>{when(h.at)}</time> ·{" "}
                  {h.action.replace(/_/g, " ")} by {h.actor}
                  {h.reason ? ` — ${h.reason}` : null}
                </li>
              ))}
            </ul>
          )}
          <p class="muted">
            Experiment <code>{e.id}</code> · created {when(e.createdAt)}
          </p>
        </>
      ),
    });
  });
}
