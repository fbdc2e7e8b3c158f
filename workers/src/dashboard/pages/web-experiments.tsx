import { WEB_EXPERIMENT_STATUSES } from "@pushbunny/db";
import type { Hono } from "hono";
import { activateWebExperiment } from "../../services/web-experiments/activate-web-experiment";
import { finishWebExperiment } from "../../services/web-experiments/finish-web-experiment";
import { getWebResults } from "../../services/web-experiments/get-web-results";
import { getWebStatus } from "../../services/web-experiments/get-web-status";
import { implementWebExperiment } from "../../services/web-experiments/implement";
import { listWebExperiments } from "../../services/web-experiments/list-web-experiments";
import { page, projectOf, sessionOf } from "../context";
import { int, when } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { confirmed, confirmPage } from "./experiment-actions";
import {
  Actions,
  diffClass,
  ResultsTable,
  SegmentsTable,
  STATUS_LABEL,
  StatusBadge,
} from "./web-experiment-parts";

const LIST_SIZE = 50;
const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;

const base = (projectId: string) => `/app/p/${projectId}/web`;
const keyOf = (raw: string | undefined) => (raw && KEY.test(raw) ? raw : "-");

/**
 * Web experiments (issue 17) under /app/p/{project}/web: the list, and one experiment with its
 * segments and preview links, the agent's phase, log and diff, the results per segment, and the
 * forms for the API's implement, activate and finish.
 */
export function registerWebExperimentPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/web", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const wanted = c.req.query("status");
    const status = WEB_EXPERIMENT_STATUSES.find((s) => s === wanted);
    const cursor = c.req.query("cursor") || undefined;
    const listed = await listWebExperiments({
      ctx: c.get("ctx"),
      projectId,
      input: { limit: LIST_SIZE, status, cursor },
    });
    return page(c, {
      title: "Web experiments",
      projectId,
      current: "web",
      children: (
        <>
          <h1>Web experiments</h1>
          <p class="muted">
            Code variants of a page or a component, assigned in the browser by the SDK's{" "}
            <code>experiment(key)</code>. Create one with <code>POST /v1/web-experiments</code>; the agent can
            write its segments and open a draft pull request.
          </p>
          <form method="get" action={base(projectId)} class="inline">
            <label for="web-status">Status</label>{" "}
            <select id="web-status" name="status">
              <option value="">any</option>
              {WEB_EXPERIMENT_STATUSES.map((s) => (
                <option value={s} selected={s === status}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>{" "}
            <button type="submit">Filter</button>
          </form>
          {listed.experiments.length === 0 ? (
            <p class="panel">
              {cursor || status
                ? "No web experiments here."
                : "No web experiments yet: create one with the API (see the README's Web experiments section)."}
            </p>
          ) : (
            <ScrollBox label="Web experiments table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Status</th>
                    <th scope="col">Target</th>
                    <th scope="col">Segments</th>
                    <th scope="col" class="hide-narrow">
                      Pull request
                    </th>
                    <th scope="col" class="hide-narrow">
                      Created (UTC)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.experiments.map((e) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base(projectId)}/${e.key}`}>{e.key}</a>
                      </th>
                      <td>
                        <StatusBadge status={e.status} />
                      </td>
                      <td>
                        {e.targetType} <code>{e.target}</code>
                      </td>
                      <td>{e.segments.map((s) => `${s.key} ${s.trafficPercent}%`).join(" · ")}</td>
                      <td class="hide-narrow">{e.pullUrl ? <a href={e.pullUrl}>#{e.pullNumber}</a> : "—"}</td>
                      <td class="hide-narrow">{when(e.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {listed.nextCursor ? (
            <p class="pager">
              <a
                href={`${base(projectId)}?cursor=${encodeURIComponent(listed.nextCursor)}${status ? `&status=${status}` : ""}`}
              >
                Older web experiments →
              </a>
            </p>
          ) : null}
        </>
      ),
    });
  });

  dash.get("/p/:project/web/:key", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const ctx = c.get("ctx");
    const key = keyOf(c.req.param("key"));
    const { experiment: e, run } = await getWebStatus({ ctx, projectId, input: { key } });
    const results = await getWebResults({ ctx, projectId, input: { key } });
    const canWrite = role !== "viewer";
    const csrf = sessionOf(c).csrf;
    const here = `${base(projectId)}/${e.key}`;
    return page(c, {
      title: `Web experiment ${e.key}`,
      projectId,
      current: "web",
      children: (
        <>
          <p>
            <a href={base(projectId)}>← Web experiments</a>
          </p>
          <h1>
            {e.key} <StatusBadge status={e.status} />
          </h1>
          {e.statusReason ? (
            <p class={`panel notice${e.status === "failed" ? " bad" : ""}`}>{e.statusReason}</p>
          ) : null}
          <section class="panel" aria-labelledby="about-title">
            <h2 id="about-title">The experiment</h2>
            <dl>
              <dt>Hypothesis</dt>
              <dd>{e.hypothesis}</dd>
              <dt>Target</dt>
              <dd>
                {e.targetType} <code>{e.target}</code>
              </dd>
              <dt>Metrics</dt>
              <dd>
                <code>{e.primaryMetric}</code> (primary)
                {e.secondaryMetrics.map((m) => (
                  <>
                    , <code>{m}</code>
                  </>
                ))}
              </dd>
              <dt>Repository</dt>
              <dd>
                {e.repository ?? "not chosen"}
                {e.pullUrl ? (
                  <>
                    {" "}
                    · pull request <a href={e.pullUrl}>#{e.pullNumber}</a> from <code>{e.branch}</code>
                  </>
                ) : null}
              </dd>
              <dt>Engine experiment</dt>
              <dd>
                <a href={`/app/p/${projectId}/experiments/${e.experimentId}`}>{e.experimentId}</a> (analysis,
                simulation and iteration)
              </dd>
            </dl>
          </section>
          <SegmentsTable experiment={e} />
          {canWrite ? <Actions experiment={e} csrf={csrf} here={here} /> : null}
          <ResultsTable results={results} />
          {run ? (
            <section class="panel" aria-labelledby="run-title">
              <h2 id="run-title">The agent's run</h2>
              <p>
                <span
                  class={`badge ${run.status === "failed" ? "bad" : run.status === "succeeded" ? "ok" : "warn"}`}
                >
                  {run.status}
                </span>{" "}
                phase <strong>{run.phase}</strong>, started {when(run.startedAt ?? run.createdAt)}
                {run.finishedAt ? `, finished ${when(run.finishedAt)}` : ""}
                {run.usage
                  ? ` · ${int(run.usage.toolCalls)} tool calls, ${int(run.usage.filesRead)} files read, ${int(run.usage.bytesWritten)} bytes written, ${int(run.usage.tokens)} tokens`
                  : ""}
              </p>
              {run.error ? <p class="error">{run.error}</p> : null}
              <ol class="plain">
                {run.log.map((l) => (
                  <li>
                    <span class="muted">{when(l.at)}</span> [{l.phase}] {l.message}
                  </li>
                ))}
              </ol>
              {run.diff ? (
                <>
                  <h3>The diff{run.files ? ` (${run.files.length} files)` : ""}</h3>
                  <section tabindex={0} aria-label="Unified diff">
                    <pre class="code diff">
                      {run.diff.split("\n").map((line) => (
                        <span class={diffClass(line)}>{`${line}\n`}</span>
                      ))}
                    </pre>
                  </section>
                </>
              ) : null}
            </section>
          ) : null}
        </>
      ),
    });
  });

  dash.post("/p/:project/web/:key/implement", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const key = keyOf(c.req.param("key"));
    await implementWebExperiment({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { key },
    });
    return c.redirect(`${base(projectId)}/${key}`, 303);
  });

  dash.post("/p/:project/web/:key/activate", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const key = keyOf(c.req.param("key"));
    await activateWebExperiment({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { key },
    });
    return c.redirect(`${base(projectId)}/${key}`, 303);
  });

  dash.post("/p/:project/web/:key/finish", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const key = keyOf(c.req.param("key"));
    const here = `${base(projectId)}/${key}`;
    if (!(await confirmed(c))) {
      return confirmPage(c, {
        projectId,
        title: "Finish the experiment?",
        what: "the SDK stops assigning segments",
        consequence:
          "Exposures are refused from now on and the analysis runs on the final numbers. A finished experiment cannot be restarted.",
        action: `${here}/finish`,
        button: "Finish and analyse",
        back: here,
      });
    }
    await finishWebExperiment({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { key },
    });
    return c.redirect(here, 303);
  });
}
