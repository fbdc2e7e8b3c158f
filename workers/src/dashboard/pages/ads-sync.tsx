import type { Hono } from "hono";
import { getSyncStatus } from "../../services/ads/get-sync-status";
import type { AdSyncRun } from "../../services/ads/lib/types";
import { projectOf } from "../context";
import { int, when } from "../format";
import type { DashEnv } from "../types";

/** How often the page asks whether a sync has finished: a sandbox sync takes a few seconds. */
export const SYNC_POLL = "every 4s";

export const inProgress = (r: AdSyncRun) => r.status === "queued" || r.status === "running";

/**
 * A sync that is still queued or running, polled through htmx until it finishes; then the same
 * box, without the poll, says how it went and offers a reload (the page's numbers are the old ones).
 */
export function SyncProgress(p: { projectId: string; runs: AdSyncRun[] }) {
  const active = p.runs.filter(inProgress);
  const url = `/app/p/${p.projectId}/ads`;
  if (active.length > 0) {
    return (
      <section
        id="sync-progress"
        class="panel notice"
        role="status"
        aria-label="Sync in progress"
        hx-get={`${url}/sync/progress`}
        hx-trigger={SYNC_POLL}
        hx-swap="outerHTML"
      >
        <p>
          {active.map((r) => (
            <>
              Sync{" "}
              {r.status === "running"
                ? `running since ${when(r.startedAt)}`
                : `queued at ${when(r.queuedAt)}`}{" "}
              UTC ({r.trigger}
              {r.attempt > 1 ? `, attempt ${int(r.attempt)}` : ""}, {r.since} → {r.until}).{" "}
            </>
          ))}
          <span class="muted">This box updates by itself when it finishes.</span>
        </p>
      </section>
    );
  }
  const last = p.runs[0];
  const failed = last ? last.results.filter((x) => x.status !== "ok").length : 0;
  return (
    <section
      id="sync-progress"
      class={`panel notice${failed > 0 ? " bad" : ""}`}
      role="status"
      aria-label="Sync finished"
    >
      <p>
        {last
          ? `The sync finished: ${last.status}, ${int(last.rows)} rows${failed > 0 ? `, ${int(failed)} channel${failed === 1 ? "" : "s"} failed` : ""}. `
          : "No sync is running. "}
        <a href={url}>Reload to see the new numbers</a>
      </p>
    </section>
  );
}

/** The progress box alone, for htmx's poll: the verb behind GET /v1/ads/sync/status (read). */
export function registerSyncProgress(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/ads/sync/progress", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const status = await getSyncStatus({ ctx: c.get("ctx"), projectId });
    const box = await (<SyncProgress projectId={projectId} runs={status.runs} />);
    return c.html(String(box));
  });
}
