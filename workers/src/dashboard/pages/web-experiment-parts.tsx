import type { WebExperimentRow, WebExperimentStatus } from "@pushbunny/db";
import type { WebResults } from "../../services/web-experiments/get-web-results";
import { DECISION_LABEL, int, interval, pct } from "../format";
import { Csrf, ScrollBox } from "../layout";
import { ConfirmBox } from "./experiment-actions";

// The pieces of the web experiment pages (web-experiments.tsx): badges, the segments with their
// preview links, the forms for the next step, the results table and the diff's line classes.

export const STATUS_LABEL: Record<WebExperimentStatus, string> = {
  draft: "draft",
  implementing: "agent at work",
  pr_open: "pull request open",
  active: "active",
  finished: "finished",
  failed: "failed",
};
const STATUS_BADGE: Record<WebExperimentStatus, string> = {
  draft: "plain",
  implementing: "warn",
  pr_open: "warn",
  active: "ok",
  finished: "plain",
  failed: "bad",
};

export const StatusBadge = (p: { status: WebExperimentStatus }) => (
  <span class={`badge ${STATUS_BADGE[p.status]}`}>{STATUS_LABEL[p.status]}</span>
);

export function diffClass(line: string): string | undefined {
  if (line.startsWith("+++") || line.startsWith("---")) return "diff-file";
  if (line.startsWith("@@")) return "diff-hunk";
  if (line.startsWith("+")) return "diff-add";
  if (line.startsWith("-")) return "diff-del";
  return undefined;
}

export function SegmentsTable(p: { experiment: WebExperimentRow }) {
  const e = p.experiment;
  return (
    <section class="panel" aria-labelledby="segments-title">
      <h2 id="segments-title">Segments</h2>
      <ScrollBox label="Segments table">
        <table>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Traffic</th>
              <th scope="col">Description</th>
              <th scope="col">Preview</th>
            </tr>
          </thead>
          <tbody>
            {e.segments.map((s, i) => (
              <tr>
                <th scope="row">
                  {s.name} <code>{s.key}</code>
                  {i === 0 ? <span class="muted"> (control)</span> : null}
                </th>
                <td>{s.trafficPercent}%</td>
                <td>{s.description}</td>
                <td>
                  {e.previewUrl ? (
                    <a href={`${e.previewUrl}#seg-${s.key}`} rel="noopener noreferrer">
                      #seg-{s.key}
                    </a>
                  ) : (
                    <span class="muted">set a preview URL</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}

export function Actions(p: { experiment: WebExperimentRow; csrf: string | undefined; here: string }) {
  const s = p.experiment.status;
  const canImplement = s === "draft" || s === "failed";
  const canActivate = s === "draft" || s === "pr_open";
  if (!canImplement && !canActivate && s !== "active") return null;
  return (
    <section class="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Next step</h2>
      {canImplement ? (
        <form method="post" action={`${p.here}/implement`} class="stack">
          <Csrf token={p.csrf} />
          <p class="muted">
            The agent reads {p.experiment.repository ?? "the experiment's repository"}, writes one component
            per segment in the app's style and opens a draft pull request. It never pushes to the default
            branch.
          </p>
          <button type="submit">Implement with the agent</button>
        </form>
      ) : null}
      {canActivate ? (
        <form method="post" action={`${p.here}/activate`} class="stack">
          <Csrf token={p.csrf} />
          <p class="muted">
            {s === "pr_open"
              ? "Merging the pull request activates the experiment; activate here if you merged it elsewhere."
              : "Activate once your code calls experiment(key) in production."}
          </p>
          <button type="submit">Activate</button>
        </form>
      ) : null}
      {s === "active" ? (
        <form method="post" action={`${p.here}/finish`} class="stack">
          <Csrf token={p.csrf} />
          <ConfirmBox what="the SDK stops assigning segments" />
          <button type="submit" class="danger">
            Finish and analyse
          </button>
        </form>
      ) : null}
    </section>
  );
}

export function ResultsTable(p: { results: WebResults }) {
  const r = p.results;
  const total = r.segments.reduce((n, s) => n + s.exposures, 0);
  return (
    <section class="panel" aria-labelledby="results-title">
      <h2 id="results-title">Results</h2>
      <p>
        <span class={`badge ${r.decision.status}`}>
          {DECISION_LABEL[r.decision.status] ?? r.decision.status}
        </span>{" "}
        {r.decision.reason}
      </p>
      {r.srm?.alarm ? (
        <p class="panel notice bad">
          Sample ratio mismatch (p = {r.srm.pValue.toPrecision(2)}): exposures do not follow the traffic
          split, so the comparison is not trustworthy. Check that every segment records its exposure.
        </p>
      ) : null}
      {total === 0 ? (
        <p class="muted">No exposures yet.</p>
      ) : (
        <ScrollBox label="Results table">
          <table>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Exposures</th>
                <th scope="col">Share (traffic)</th>
                <th scope="col">
                  <code>{r.primaryMetric}</code>
                </th>
                <th scope="col">Rate (95%)</th>
                <th scope="col">P(best)</th>
                {r.secondaryMetrics.map((m) => (
                  <th scope="col" class="hide-narrow">
                    <code>{m}</code>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.segments.map((s) => (
                <tr>
                  <th scope="row">{s.name}</th>
                  <td>{int(s.exposures)}</td>
                  <td>
                    {pct(s.exposureShare)} ({s.trafficPercent}%)
                  </td>
                  <td>{int(s.primary.conversions)}</td>
                  <td>
                    {pct(s.primary.rate)} ({interval(s.primary.ci95)})
                  </td>
                  <td>{pct(s.primary.pBest)}</td>
                  {s.secondary.map((m) => (
                    <td class="hide-narrow">
                      {int(m.count)} ({pct(m.rate)})
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
