import type { Hono } from "hono";
import { BadRequestError } from "../../errors";
import type { Analysis } from "../../services/analysis/analyses";
import { analyzeExperiment } from "../../services/analysis/analyze-experiment";
import { confirmIteration } from "../../services/analysis/confirm-iteration";
import { discardIteration } from "../../services/analysis/discard-iteration";
import type { Proposal } from "../../services/analysis/proposals";
import { proposeIteration } from "../../services/analysis/propose-iteration";
import {
  SIMULATION_LIMITS,
  type SimulationResult,
  simulateExperiment,
} from "../../services/analysis/simulate-experiment";
import { mustFind } from "../../services/experiments/lookup";
import { page, projectOf, sessionOf } from "../context";
import { DECISION_LABEL, int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { ConfirmBox, confirmed, confirmPage } from "./experiment-actions";
import { fromChartJs, Plot } from "./experiment-plot";

const RECOMMENDATION: Record<string, string> = {
  promote: "Promote the winner",
  keep_testing: "Keep testing",
  stop: "Stop: the arms perform the same",
  investigate_srm: "Investigate the traffic split before trusting the numbers",
};

const ANGLE: Record<string, string> = {
  build_on_winner: "build on the winner",
  new_angle: "try a new angle",
  more_challengers: "more challengers",
};

/** An analysis as stored: narrative, recommendation and its plots with their numbers. */
export function AnalysisBody(p: { analysis: Analysis }) {
  const a = p.analysis;
  const r = a.report;
  const arm = a.snapshot.arms.find((x) => x.variant_id === r.winner_recommendation.variant_id);
  return (
    <>
      <p class="muted">
        {a.source === "simulation" ? "Simulated traffic" : `Analysis (${a.source})`} of{" "}
        <time datetime={new Date(a.createdAt).toISOString()}>{when(a.createdAt)}</time> UTC by {a.provider} ·
        decision: <span class={`badge ${a.decision}`}>{DECISION_LABEL[a.decision] ?? a.decision}</span>
        {a.fallbackReason ? " · the model's answer was rejected, this is the template's" : null}
      </p>
      <p>{r.summary}</p>
      <h3>Insights</h3>
      <ul>
        {r.insights.map((i) => (
          <li>{i}</li>
        ))}
      </ul>
      <h3>Recommendation</h3>
      <p>
        <strong>{RECOMMENDATION[r.winner_recommendation.action] ?? r.winner_recommendation.action}</strong>
        {arm ? ` (${arm.label}: ${arm.text})` : null}: {r.winner_recommendation.rationale}
      </p>
      {r.plots.map((plot) => (
        <Plot spec={fromChartJs(plot)} lastRows={14} />
      ))}
    </>
  );
}

/** What a simulation returned: its traffic, the true rates it drew from, and its analysis. */
export function SimulationBody(p: { result: SimulationResult }) {
  const s = p.result.simulation;
  return (
    <section class="panel" id="simulation-result" aria-labelledby="simulation-title">
      <h2 id="simulation-title">Simulation result</h2>
      <p>
        {int(s.users)} simulated users over {int(s.days)} days (seed <code>{s.seed}</code>):{" "}
        {int(s.impressions)} impressions, {int(s.events.opened)} opens, {int(s.events.conversion)} conversions
        {s.events.rejected > 0 ? `, ${int(s.events.rejected)} events rejected by ingest` : ""}. Simulated rows
        are kept apart from real traffic; the next simulation replaces them.
      </p>
      <ScrollBox label="Simulated arms">
        <table>
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col" class="num">
                Weight
              </th>
              <th scope="col" class="num">
                Users
              </th>
              <th scope="col" class="num">
                True open rate
              </th>
              <th scope="col" class="num">
                True conversion rate
              </th>
            </tr>
          </thead>
          <tbody>
            {s.arms.map((a) => (
              <tr>
                <th scope="row">{a.label}</th>
                <td class="num">{pct(a.weight)}</td>
                <td class="num">{int(a.users)}</td>
                <td class="num">{pct(a.trueOpenRate)}</td>
                <td class="num">{pct(a.trueConversionRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <AnalysisBody analysis={p.result.analysis} />
    </section>
  );
}

/** The latest analysis, or what to do to get one; with the analysis actions for writers. */
export function AnalysisSection(p: {
  analysis: Analysis | null;
  base: string;
  csrf: string;
  canWrite: boolean;
  arms: { id: string; label: string }[];
}) {
  return (
    <section id="analysis" aria-labelledby="analysis-title">
      <h2 id="analysis-title">Analysis</h2>
      {p.analysis ? (
        <div class="panel">
          <AnalysisBody analysis={p.analysis} />
        </div>
      ) : (
        <p class="panel">
          No analysis yet.{" "}
          {p.canWrite
            ? "Analyze to have the statistics narrated now, or wait for the hourly run."
            : "The hourly run writes one once there is traffic."}
        </p>
      )}
      {p.canWrite ? (
        <div class="panel filters">
          <form method="post" action={`${p.base}/analyze`}>
            <Csrf token={p.csrf} />
            <button type="submit">Analyze</button>
          </form>
          <form method="post" action={`${p.base}/iterate`}>
            <Csrf token={p.csrf} />
            <button type="submit" class="secondary">
              Propose the next iteration
            </button>
          </form>
          <span class="muted">Each counts against the project's hourly analysis quota.</span>
        </div>
      ) : null}
      {p.canWrite ? (
        <form
          class="panel filters"
          method="post"
          action={`${p.base}/simulate`}
          hx-post={`${p.base}/simulate`}
          hx-target="#simulation-slot"
          hx-swap="innerHTML"
          aria-label="Simulate traffic"
        >
          <Csrf token={p.csrf} />
          <label>
            Simulated users
            <input
              name="users"
              type="number"
              min={SIMULATION_LIMITS.minUsers}
              max={SIMULATION_LIMITS.maxUsers}
              value="2000"
              required
            />
          </label>
          <label>
            Over days
            <input name="days" type="number" min={1} max={SIMULATION_LIMITS.maxDays} value="7" required />
          </label>
          <label>
            Seed
            <input name="seed" maxlength={64} value="pushbunny" required />
          </label>
          {p.arms.map((a) => (
            <label>
              True open rate of {a.label} (%)
              <input name={`open_rate.${a.id}`} type="number" min={0} max={100} step="0.1" placeholder="5" />
            </label>
          ))}
          <button type="submit" class="secondary">
            Simulate
          </button>
        </form>
      ) : null}
      <div id="simulation-slot" aria-live="polite" />
    </section>
  );
}

/** An iteration proposal: what it would add and retire; Confirm and Discard while it is pending. */
export function ProposalSection(p: { proposal: Proposal; base: string; csrf: string; canWrite: boolean }) {
  const x = p.proposal;
  const url = `${p.base}/iterate/${x.id}`;
  return (
    <section class="panel notice" id="proposal" aria-labelledby="proposal-title">
      <h2 id="proposal-title">Proposed iteration: {ANGLE[x.angle] ?? x.angle}</h2>
      <p>
        Status: <strong>{x.status}</strong> · proposed {when(x.createdAt)} UTC by {x.provider}
      </p>
      <p>{x.rationale}</p>
      <h3>New challengers</h3>
      {x.challengers.length === 0 ? (
        <p class="muted">None: the experiment has no room for more variants.</p>
      ) : (
        <ul>
          {x.challengers.map((t) => (
            <li>{t}</li>
          ))}
        </ul>
      )}
      <h3>To retire</h3>
      {x.retire.length === 0 ? (
        <p class="muted">Nothing.</p>
      ) : (
        <ul>
          {x.retire.map((r) => (
            <li>
              {r.label} (P(best) {pct(r.pBest)})
            </li>
          ))}
        </ul>
      )}
      {x.status === "pending" && p.canWrite ? (
        <div class="filters">
          <form method="post" action={`${url}/confirm`} aria-label="Confirm the iteration">
            <Csrf token={p.csrf} />
            <ConfirmBox what="the challengers join and the listed arms are retired" />
            <button type="submit" class="danger">
              Confirm
            </button>
          </form>
          <form method="post" action={`${url}/discard`} aria-label="Discard the iteration">
            <Csrf token={p.csrf} />
            <button type="submit" class="secondary">
              Discard
            </button>
          </form>
        </div>
      ) : null}
    </section>
  );
}

/** "5" (%) → 0.05; empty → absent, so the service's default applies. */
function rates(form: Record<string, unknown>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(form)) {
    if (!k.startsWith(prefix) || typeof v !== "string" || v.trim() === "") continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 100) {
      throw new BadRequestError(`${k}: a percentage from 0 to 100`, [
        { path: k, message: "not a percentage" },
      ]);
    }
    out[k.slice(prefix.length)] = n / 100;
  }
  return out;
}

const integer = (v: unknown, fallback: number) => {
  if (typeof v !== "string" || v.trim() === "") return fallback;
  return Number(v);
};

export function registerAnalysisActions(dash: Hono<DashEnv>): void {
  const back = (projectId: string, experimentId: string) => `/app/p/${projectId}/experiments/${experimentId}`;

  // POST /v1/experiments/{id}/analyze (quota spent: the 429 page)
  dash.post("/p/:project/experiments/:experiment/analyze", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const analysis = await analyzeExperiment({
      ctx: c.get("ctx"),
      projectId,
      input: { experimentId: c.req.param("experiment") },
    });
    return c.redirect(`${back(projectId, analysis.experimentId)}#analysis`, 303);
  });

  // POST /v1/experiments/{id}/simulate: its result in place (htmx) or as a page.
  dash.post("/p/:project/experiments/:experiment/simulate", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const seed = typeof form.seed === "string" && form.seed.trim() ? form.seed.trim() : "pushbunny";
    const result = await simulateExperiment({
      ctx: c.get("ctx"),
      projectId,
      input: {
        experimentId: c.req.param("experiment"),
        users: integer(form.users, 2_000),
        days: integer(form.days, 7),
        seed: seed.slice(0, 64),
        openRates: rates(form, "open_rate."),
        conversionRates: {},
        weights: {},
      },
    });
    if (c.req.header("hx-request") === "true") {
      const html = await (<SimulationBody result={result} />);
      return c.html(`${html}`);
    }
    const base = back(projectId, result.analysis.experimentId);
    return page(c, {
      title: "Simulation result",
      projectId,
      current: "experiments",
      charts: true,
      children: (
        <>
          <p>
            <a href={base}>← Back to the experiment</a>
          </p>
          <h1>Simulation result</h1>
          <SimulationBody result={result} />
        </>
      ),
    });
  });

  // POST /v1/experiments/{id}/iterate: the proposal is shown on the page until decided.
  dash.post("/p/:project/experiments/:experiment/iterate", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const proposal = await proposeIteration({
      ctx: c.get("ctx"),
      projectId,
      input: { experimentId: c.req.param("experiment") },
    });
    return c.redirect(`${back(projectId, proposal.experimentId)}?proposal=${proposal.id}#proposal`, 303);
  });

  // POST /v1/experiments/{id}/iterate/{proposal_id}/confirm, after the confirm step.
  dash.post("/p/:project/experiments/:experiment/iterate/:proposal/confirm", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const input = { experimentId: c.req.param("experiment"), proposalId: c.req.param("proposal") };
    const base = back(projectId, input.experimentId);
    if (!(await confirmed(c))) {
      await mustFind(c.get("ctx"), projectId, input.experimentId);
      return confirmPage(c, {
        projectId,
        title: "Apply this iteration?",
        what: "the challengers join and the listed arms are retired",
        consequence:
          "The proposed challengers join the pool and the arms it lists are retired, in one change kept in the history.",
        action: `${base}/iterate/${encodeURIComponent(input.proposalId)}/confirm`,
        button: "Confirm the iteration",
        back: `${base}?proposal=${encodeURIComponent(input.proposalId)}#proposal`,
      });
    }
    const done = await confirmIteration({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input,
    });
    return c.redirect(`${base}?proposal=${done.proposal.id}#proposal`, 303);
  });

  // POST /v1/experiments/{id}/iterate/{proposal_id}/discard
  dash.post("/p/:project/experiments/:experiment/iterate/:proposal/discard", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const input = { experimentId: c.req.param("experiment"), proposalId: c.req.param("proposal") };
    const done = await discardIteration({ ctx: c.get("ctx"), projectId, input });
    return c.redirect(`${back(projectId, input.experimentId)}?proposal=${done.id}#proposal`, 303);
  });
}
