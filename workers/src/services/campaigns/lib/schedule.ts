import {
  audienceTimeZones,
  contacts,
  type EmailCampaignRow,
  findProjectTimeZone,
  queuedDueInstants,
} from "@pushbunny/db";
import { type SQL, sql } from "drizzle-orm";
import type { AppContext } from "../../../context";
import { BadRequestError } from "../../../errors";
import { compileSegmentFilter } from "../../segments/filter";
import { mustSegment } from "../../segments/lib";
import { canonicalZone, EARLIEST_OFFSET_MS, parseLocalTime, zonedInstant } from "./time-zone";

/** When to send: a UTC instant, or a wall-clock time in the project's, the recipient's or a named zone. */
export type ScheduleInput =
  | { sendAt: number; sendAtLocal?: undefined; timeZone?: undefined }
  | { sendAt?: undefined; sendAtLocal: string; timeZone: string };

export interface ResolvedSchedule {
  /** The first instant anything is sent (recipient mode: the local time in UTC+14). */
  sendAt: number;
  sendAtLocal: string | null;
  /** `recipient`, or the IANA zone the local time was read in ("project" resolved when scheduled). */
  timeZone: string | null;
}

export const RECIPIENT = "recipient";

const bad = (path: string, message: string) =>
  new BadRequestError(`${path}: ${message}`, [{ path, message }]);

/** The project's zone, canonical; "UTC" when unset or (from an older row) no longer known. */
async function projectZone(ctx: AppContext, projectId: string): Promise<string> {
  return canonicalZone((await findProjectTimeZone(ctx.db, projectId)) ?? "UTC") ?? "UTC";
}

/** Checks a schedule and turns it into the instant the campaign starts. */
export async function resolveSchedule(
  ctx: AppContext,
  projectId: string,
  input: ScheduleInput,
): Promise<ResolvedSchedule> {
  if (input.sendAtLocal === undefined) {
    if (!Number.isSafeInteger(input.sendAt)) throw bad("send_at", "required");
    return { sendAt: input.sendAt, sendAtLocal: null, timeZone: null };
  }
  const local = parseLocalTime(input.sendAtLocal);
  if (local === null) throw bad("send_at_local", "a local date and time, YYYY-MM-DDTHH:mm");
  const sendAtLocal = new Date(local).toISOString().slice(0, 16);
  if (input.timeZone === RECIPIENT) {
    return { sendAt: local - EARLIEST_OFFSET_MS, sendAtLocal, timeZone: RECIPIENT };
  }
  const zone =
    input.timeZone === "project" ? await projectZone(ctx, projectId) : canonicalZone(input.timeZone);
  if (!zone) throw bad("time_zone", `'${input.timeZone}' is not "project", "recipient" or an IANA time zone`);
  return { sendAt: zonedInstant(local, zone), sendAtLocal, timeZone: zone };
}

// Zone names are letters, digits and `_ / + -`; only such names are written into SQL as literals.
const ZONE_LITERAL = /^[A-Za-z0-9_/+-]{1,64}$/;

/**
 * Each recipient's instant for a recipient-mode campaign: the local time in the contact's zone,
 * else the project's (then UTC). One CASE over the audience's zones, computed here (SQLite knows
 * no zones), so the rows are written by one statement as before.
 */
async function recipientInstants(
  ctx: AppContext,
  campaign: EmailCampaignRow,
  where: SQL | undefined,
): Promise<{ byZone: Map<string, number>; fallback: number; counts: Map<number, number> } | null> {
  if (campaign.timeZone !== RECIPIENT || !campaign.sendAtLocal) return null;
  const local = parseLocalTime(campaign.sendAtLocal);
  if (local === null) return null;
  const fallback = zonedInstant(local, await projectZone(ctx, campaign.projectId));
  const byZone = new Map<string, number>();
  const counts = new Map<number, number>();
  for (const { timeZone, contacts: n } of await audienceTimeZones(ctx.db, campaign.projectId, where)) {
    const zone = timeZone && ZONE_LITERAL.test(timeZone) ? canonicalZone(timeZone) : null;
    const at = zone ? zonedInstant(local, zone) : fallback;
    if (zone && timeZone) byZone.set(timeZone, at);
    counts.set(at, (counts.get(at) ?? 0) + Number(n));
  }
  return { byZone, fallback, counts };
}

/** The audience filter of the campaign (its segment's), as materialization applies it. */
export async function audienceWhere(ctx: AppContext, campaign: EmailCampaignRow): Promise<SQL | undefined> {
  if (!campaign.segmentId) return undefined;
  const segment = await mustSegment(ctx, campaign.projectId, campaign.segmentId);
  return compileSegmentFilter(segment.filter as never);
}

/** The SQL expression of each row's due instant, or undefined when every row is due at once. */
export async function dueAtExpression(
  ctx: AppContext,
  campaign: EmailCampaignRow,
  where: SQL | undefined,
): Promise<SQL | undefined> {
  const instants = await recipientInstants(ctx, campaign, where);
  if (!instants) return undefined;
  if (instants.byZone.size === 0) return sql.raw(String(instants.fallback));
  const branches = [...instants.byZone].map(([zone, at]) => `when '${zone}' then ${at}`).join(" ");
  return sql`(case ${contacts.timeZone} ${sql.raw(branches)} else ${sql.raw(String(instants.fallback))} end)`;
}

/** Up to this many upcoming instants are shown on a campaign. */
export const MAX_DUE_SHOWN = 48;

/**
 * The instants still to come for a scheduled, sending or paused campaign, with how many
 * recipients each: in recipient mode from the rows once written, else from the audience's zones;
 * otherwise send_at until the campaign starts, then nothing.
 */
export async function nextDue(
  ctx: AppContext,
  campaign: EmailCampaignRow,
): Promise<{ at: number; recipients: number | null }[]> {
  if (!["scheduled", "sending", "paused"].includes(campaign.status)) return [];
  const started = campaign.startedAt !== null || campaign.recipients > 0;
  // Without recipient zones every row is due at send_at: nothing is read (a dashboard polls this).
  if (campaign.timeZone !== RECIPIENT) {
    if (started || campaign.sendAt === null) return [];
    return [{ at: campaign.sendAt, recipients: null }];
  }
  if (started) {
    const rows = await queuedDueInstants(ctx.db, campaign.id, MAX_DUE_SHOWN);
    return rows.map((r) => ({ at: r.dueAt ?? campaign.sendAt ?? ctx.now(), recipients: Number(r.queued) }));
  }
  const instants = await recipientInstants(ctx, campaign, await audienceWhere(ctx, campaign));
  if (!instants) return [];
  return [...instants.counts]
    .sort(([a], [b]) => a - b)
    .slice(0, MAX_DUE_SHOWN)
    .map(([at, recipients]) => ({ at, recipients }));
}
