import type { Hono } from "hono";
import { listExperiments } from "../../services/experiments/list-experiments";
import type { ExperimentSummary } from "../../services/experiments/summaries";
import { page, projectOf } from "../context";
import { int } from "../format";
import type { DashEnv } from "../types";
import { FirstMessage } from "./empty";
import { DecisionBadge } from "./experiments";

/** How far the home page reads: the list verb's largest page, this many times. */
const SCAN_PAGES = 10;

interface Attention {
  summary: ExperimentSummary;
  why: string;
}

function attentionOf(s: ExperimentSummary): Attention | null {
  const e = s.experiment;
  if (e.generationStatus === "failed") {
    return {
      summary: s,
      why: `challenger generation failed${e.generationError ? `: ${e.generationError}` : ""}`,
    };
  }
  if (e.decision?.status === "srm_alarm")
    return { summary: s, why: `sample ratio mismatch: ${e.decision.reason}` };
  if (e.decision?.status === "winner") return { summary: s, why: `a winner is ready: ${e.decision.reason}` };
  return null;
}

export function registerHomePage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const ctx = c.get("ctx");
    const items: Attention[] = [];
    let total = 0;
    let running = 0;
    let cursor: string | undefined;
    let truncated = false;
    for (let i = 0; i < SCAN_PAGES; i++) {
      const result = await listExperiments({ ctx, projectId, input: { limit: 100, cursor } });
      for (const s of result.experiments) {
        total++;
        if (s.experiment.status === "running") running++;
        const a = attentionOf(s);
        if (a) items.push(a);
      }
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
      if (i === SCAN_PAGES - 1) truncated = true;
    }
    return page(c, {
      title: "Home",
      projectId,
      current: "home",
      children: (
        <>
          <h1>What needs attention</h1>
          {total === 0 ? (
            <FirstMessage
              origin={new URL(c.req.url).origin}
              projectId={projectId}
              keysHref={`/app/p/${projectId}/settings/keys`}
            />
          ) : (
            <>
              <p>
                {int(total)} experiments, {int(running)} running.{" "}
                <a href={`/app/p/${projectId}/experiments`}>See them all</a>
                {truncated ? " (only the newest 1,000 were checked)" : null}
              </p>
              {items.length === 0 ? (
                <p class="panel">
                  Nothing needs you now: no winner to act on, no SRM alarm, no failed generation.
                </p>
              ) : (
                <ul class="attention panel" aria-label="Experiments that need attention">
                  {items.map(({ summary: s, why }) => (
                    <li>
                      <a href={`/app/p/${projectId}/experiments/${s.experiment.id}`}>
                        {s.experiment.intentId} ({s.experiment.locale})
                      </a>{" "}
                      <DecisionBadge
                        status={
                          s.experiment.generationStatus === "failed"
                            ? "failed"
                            : s.experiment.decision?.status
                        }
                      />
                      <div class="muted">{why}</div>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </>
      ),
    });
  });
}
