import { encodeCursor } from "@pushbunny/core";
import {
  type AdAlertKind,
  type AdAlertState,
  type AdChannel,
  listAlerts as listAlertRows,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { type AdAlert, toAlert } from "./insights/types";

export interface ListAlertsInput {
  state?: AdAlertState;
  kind?: AdAlertKind;
  channel?: AdChannel;
  campaignId?: string;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** The project's alerts, newest first, keyset-paged; 400 for a cursor this verb did not make. */
export async function listAdAlerts({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: ListAlertsInput;
}): Promise<{ alerts: AdAlert[]; nextCursor: string | null }> {
  const decoded = readCursor(input.cursor, ["number", "string"]);
  const rows = await listAlertRows(ctx.db, projectId, input.limit + 1, {
    ...(decoded ? { after: { firstSeenAt: decoded[0], id: decoded[1] } } : {}),
    ...(input.state ? { state: input.state } : {}),
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.campaignId ? { campaignId: input.campaignId } : {}),
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    alerts: page.map(toAlert),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.firstSeenAt, last.id]) : null,
  };
}
