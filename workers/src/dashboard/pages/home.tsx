import { type ExperimentRow, listExperimentsPage } from "@pushbunny/db";
import type { Hono } from "hono";
import { page, projectOf } from "../context";
import { int } from "../format";
import type { DashEnv } from "../types";
import { FirstMessage } from "./empty";
import { DecisionBadge } from "./experiments";

/**
 * How far the home page reads, 100 experiments a page. It needs each experiment's stored state
 * (the loop's verdict, generation), not its traffic: so it reads the rows the list verb pages
 * through (listExperimentsPage, scoped by project) without the verb's per-page totals, which
 * made this page cost ~320 ms of Worker CPU on 1,000 experiments with 90 days of data
 * (scripts/bench.mjs phase f).
 */
const SCAN_PAGES = 50;
const SCAN_PAGE_SIZE = 100;

interface Attention {
  experiment: ExperimentRow;
  why: string;
}

function attentionOf(e: ExperimentRow): Attention | null {
  if (e.generationStatus === "failed") {
    return {
      experiment: e,
      why: `challenger generation failed${e.generationError ? `: ${e.generationError}` : ""}`,
    };
  }
  if (e.decision?.status === "srm_alarm")
    return { experiment: e, why: `sample ratio mismatch: ${e.decision.reason}` };
  if (e.decision?.status === "winner")
    return { experiment: e, why: `a winner is ready: ${e.decision.reason}` };
  return null;
}

export function registerHomePage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const ctx = c.get("ctx");
    const items: Attention[] = [];
    let total = 0;
    let running = 0;
    let after: { createdAt: number; id: string } | undefined;
    let truncated = false;
    for (let i = 0; i < SCAN_PAGES; i++) {
      const rows = await listExperimentsPage(ctx.db, projectId, { limit: SCAN_PAGE_SIZE, after });
      for (const e of rows) {
        total++;
        if (e.status === "running") running++;
        const a = attentionOf(e);
        if (a) items.push(a);
      }
      const last = rows.at(-1);
      if (rows.length < SCAN_PAGE_SIZE || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
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
                {truncated ? ` (only the newest ${int(SCAN_PAGES * SCAN_PAGE_SIZE)} were checked)` : null}
              </p>
              {items.length === 0 ? (
                <p class="panel">
                  Nothing needs you now: no winner to act on, no SRM alarm, no failed generation.
                </p>
              ) : (
                <ul class="attention panel" aria-label="Experiments that need attention">
                  {items.map(({ experiment: e, why }) => (
                    <li>
                      <a href={`/app/p/${projectId}/experiments/${e.id}`}>
                        {e.intentId} ({e.locale})
                      </a>{" "}
                      <DecisionBadge
                        status={e.generationStatus === "failed" ? "failed" : e.decision?.status}
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
