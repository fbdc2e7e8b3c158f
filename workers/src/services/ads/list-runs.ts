import { encodeCursor } from "@pushbunny/core";
import { type AdSyncRunRow, listSyncRuns as listSyncRunRows, type SyncRunStatus } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";
import { type AdSyncRun, toSyncRun } from "./lib/types";

export interface ListRunsInput {
  status?: SyncRunStatus;
  trigger?: AdSyncRunRow["trigger"];
  /** Queued at or after, Unix ms. */
  queuedFrom?: number;
  /** Queued before, Unix ms. */
  queuedTo?: number;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** The project's sync runs, newest first, keyset-paged; 400 for a cursor this verb did not make. */
export async function listSyncRuns({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: ListRunsInput;
}): Promise<{ runs: AdSyncRun[]; nextCursor: string | null }> {
  if (input.queuedFrom !== undefined && input.queuedTo !== undefined && input.queuedFrom >= input.queuedTo) {
    throw BadRequestError.fromIssues([{ path: "queued_from", message: "must be before queued_to" }]);
  }
  const decoded = readCursor(input.cursor, ["number", "string"]);
  const after = decoded && { queuedAt: decoded[0], id: decoded[1] };
  const rows = await listSyncRunRows(ctx.db, projectId, input.limit + 1, {
    ...(after ? { after } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.trigger ? { trigger: input.trigger } : {}),
    ...(input.queuedFrom !== undefined ? { queuedFrom: input.queuedFrom } : {}),
    ...(input.queuedTo !== undefined ? { queuedTo: input.queuedTo } : {}),
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    runs: page.map(toSyncRun),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.queuedAt, last.id]) : null,
  };
}
