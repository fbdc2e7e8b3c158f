import { STRATEGIES, type Strategy } from "@pushbunny/db";
import type { Hono } from "hono";
import { listExperiments } from "../../services/experiments/list-experiments";
import type { ExperimentSummary } from "../../services/experiments/summaries";
import { page, projectOf } from "../context";
import { DECISION_LABEL, int, STRATEGY_LABEL } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { FirstMessage } from "./empty";

export const PAGE_SIZE = 25;

const STATUSES = ["running", "paused"] as const;

export function DecisionBadge(p: { status: string | undefined }) {
  if (!p.status) return <span class="muted">—</span>;
  return <span class={`badge ${p.status}`}>{DECISION_LABEL[p.status] ?? p.status}</span>;
}

/** The arm the loop named (its verdict's variant), or the promoted winner. */
export const bestVariantOf = (s: ExperimentSummary) =>
  s.experiment.decision?.variantId ?? s.experiment.winnerVariantId ?? null;

function Rows(p: { projectId: string; rows: ExperimentSummary[] }) {
  return (
    <>
      {p.rows.map((s) => {
        const e = s.experiment;
        const best = bestVariantOf(s);
        return (
          <tr>
            <th scope="row">
              <a href={`/app/p/${p.projectId}/experiments/${e.id}`}>{e.intentId}</a>
            </th>
            <td>{e.locale}</td>
            <td class="hide-narrow">{STRATEGY_LABEL[e.strategy] ?? e.strategy}</td>
            <td>
              {e.status}
              {e.generationStatus !== "ready" ? (
                <>
                  {" "}
                  <span class={`badge ${e.generationStatus}`}>generation {e.generationStatus}</span>
                </>
              ) : null}
            </td>
            <td class="num">{int(s.totals.impressions)}</td>
            <td class="hide-narrow">{best ? <code>{best}</code> : <span class="muted">—</span>}</td>
            <td>
              <DecisionBadge status={e.decision?.status} />
            </td>
          </tr>
        );
      })}
    </>
  );
}

export function registerExperimentListPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/experiments", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const q = c.req.query();
    const status = (STATUSES as readonly string[]).includes(q.status ?? "")
      ? (q.status as "running" | "paused")
      : undefined;
    const strategy = (STRATEGIES as readonly string[]).includes(q.strategy ?? "")
      ? (q.strategy as Strategy)
      : undefined;
    // The list route's bounds: a longer filter or cursor matches nothing the API would give.
    const intentId = q.intent_id?.trim().slice(0, 128) || undefined;
    const result = await listExperiments({
      ctx: c.get("ctx"),
      projectId,
      input: {
        status,
        strategy,
        intentId,
        limit: PAGE_SIZE,
        cursor: q.cursor && q.cursor.length <= 200 ? q.cursor : undefined,
      },
    });
    const filtered = status !== undefined || strategy !== undefined || intentId !== undefined;
    const params = new URLSearchParams();
    if (status) params.set("status", status);
    if (strategy) params.set("strategy", strategy);
    if (intentId) params.set("intent_id", intentId);
    const base = `/app/p/${projectId}/experiments`;
    const nextHref = result.nextCursor
      ? `${base}?${new URLSearchParams([...params, ["cursor", result.nextCursor]]).toString()}`
      : null;
    return page(c, {
      title: "Experiments",
      projectId,
      current: "experiments",
      children: (
        <>
          <h1>Experiments</h1>
          <form class="filters" method="get" action={base} aria-label="Filter experiments">
            <label>
              Intent
              <input name="intent_id" value={intentId ?? ""} maxlength={128} />
            </label>
            <label>
              Status
              <select name="status">
                <option value="">any</option>
                {STATUSES.map((s) => (
                  <option value={s} selected={s === status}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Strategy
              <select name="strategy">
                <option value="">any</option>
                {STRATEGIES.map((s) => (
                  <option value={s} selected={s === strategy}>
                    {STRATEGY_LABEL[s] ?? s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Filter</button>
            {filtered ? <a href={base}>Clear filters</a> : null}
          </form>
          {result.experiments.length === 0 ? (
            filtered || q.cursor ? (
              <p class="panel">No experiment matches these filters.</p>
            ) : (
              <FirstMessage
                origin={new URL(c.req.url).origin}
                projectId={projectId}
                keysHref={`/app/p/${projectId}/settings/keys`}
              />
            )
          ) : (
            <ScrollBox label="Experiments table">
              <table>
                <caption class="muted">Newest first; impressions are all-time totals.</caption>
                <thead>
                  <tr>
                    <th scope="col">Intent</th>
                    <th scope="col">Locale</th>
                    <th scope="col" class="hide-narrow">
                      Strategy
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Impressions
                    </th>
                    <th scope="col" class="hide-narrow">
                      Best variant
                    </th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  <Rows projectId={projectId} rows={result.experiments} />
                </tbody>
              </table>
            </ScrollBox>
          )}
          <nav class="pager" aria-label="Pages">
            {q.cursor ? <a href={`${base}${params.size ? `?${params}` : ""}`}>First page</a> : null}
            {nextHref ? <a href={nextHref}>Next page</a> : null}
          </nav>
        </>
      ),
    });
  });
}
