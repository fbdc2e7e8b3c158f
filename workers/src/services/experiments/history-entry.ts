import { newId } from "@pushbunny/core";
import type { ExperimentRow, HistoryAction, HistoryEntry } from "@pushbunny/db";
import type { AppContext } from "../../context";

/** Who made a change: `api_key:<prefix>` for API calls, `loop` for the optimization loop. */
export type Actor = string;

/** A history entry for a change to `e`, to write in the same batch as the change. */
export function historyEntry(
  ctx: AppContext,
  e: ExperimentRow,
  actor: Actor,
  action: HistoryAction,
  reason: string | null,
  detail: Record<string, unknown> | null,
): HistoryEntry {
  return {
    id: newId("hst"),
    projectId: e.projectId,
    experimentId: e.id,
    at: ctx.now(),
    actor,
    action,
    reason,
    detail,
  };
}
