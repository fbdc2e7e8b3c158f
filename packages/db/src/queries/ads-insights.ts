import { and, desc, eq, gte, inArray, lt, lte, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type AdAlertKind,
  type AdAlertRow,
  type AdAlertRuleRow,
  type AdAlertState,
  type AdChannel,
  type AdInsightRow,
  adAlertRules,
  adAlerts,
  adCampaignMetrics,
  adInsights,
} from "../schema";

/** The day rows insights read: one campaign on one day, over a day range, for some channels. */
export function campaignDaysForInsights(
  db: Db,
  input: { projectId: string; channels: AdChannel[]; fromDay: string; toDay: string },
) {
  const m = adCampaignMetrics;
  if (input.channels.length === 0) return Promise.resolve([]);
  return db
    .select({
      channel: m.channel,
      campaignId: m.campaignId,
      campaignName: m.campaignName,
      date: m.date,
      cost: m.cost,
      conversions: m.conversions,
      conversionValue: m.conversionValue,
    })
    .from(m)
    .where(
      and(
        eq(m.projectId, input.projectId),
        inArray(m.channel, input.channels),
        gte(m.date, input.fromDay),
        lte(m.date, input.toDay),
      ),
    );
}

export function listAlertRules(db: Db, projectId: string): Promise<AdAlertRuleRow[]> {
  return db.select().from(adAlertRules).where(eq(adAlertRules.projectId, projectId));
}

/** Writes the given rules (each replaces the project's row of its kind) in one batch. */
export async function upsertAlertRules(db: Db, rows: AdAlertRuleRow[]): Promise<void> {
  const [first, ...rest] = rows.map((row) =>
    db
      .insert(adAlertRules)
      .values(row)
      .onConflictDoUpdate({
        target: [adAlertRules.projectId, adAlertRules.kind],
        set: {
          enabled: row.enabled,
          threshold: row.threshold,
          minBaseline: row.minBaseline,
          updatedAt: row.updatedAt,
        },
      }),
  );
  if (!first) return;
  await db.batch([first, ...rest]);
}

/** Alerts still open or acknowledged: what a sync may update or resolve. */
export function listUnresolvedAlerts(db: Db, projectId: string): Promise<AdAlertRow[]> {
  return db
    .select()
    .from(adAlerts)
    .where(and(eq(adAlerts.projectId, projectId), ne(adAlerts.state, "resolved")));
}

export type AlertObservation = Pick<
  AdAlertRow,
  "kind" | "channel" | "campaignId" | "campaignName" | "observed" | "baseline" | "threshold" | "message"
>;

/**
 * What one sync found, in one batch: `fire` opens an alert per (rule, channel, campaign, day) or
 * refreshes that day's row (one an earlier sync resolved by itself opens again; one a person
 * resolved stays resolved); `refresh` updates unresolved alerts of earlier days whose condition
 * still holds; `clear` resolves alerts whose condition no longer holds.
 */
export async function applyAlertChanges(
  db: Db,
  input: {
    projectId: string;
    day: string;
    runId: string;
    now: number;
    newId: () => string;
    fire: AlertObservation[];
    refresh: { id: string; observation: AlertObservation }[];
    clear: string[];
  },
): Promise<void> {
  const { projectId, now, runId } = input;
  const statements = [
    ...input.fire.map((o) =>
      db
        .insert(adAlerts)
        .values({
          ...o,
          id: input.newId(),
          projectId,
          day: input.day,
          state: "open",
          runId,
          firstSeenAt: now,
          lastSeenAt: now,
          acknowledgedAt: null,
          resolvedAt: null,
          resolvedBy: null,
        })
        .onConflictDoUpdate({
          target: [adAlerts.projectId, adAlerts.kind, adAlerts.channel, adAlerts.campaignId, adAlerts.day],
          set: {
            campaignName: o.campaignName,
            observed: o.observed,
            baseline: o.baseline,
            threshold: o.threshold,
            message: o.message,
            runId,
            lastSeenAt: now,
            state: sql`CASE WHEN ${adAlerts.resolvedBy} = 'auto' THEN 'open' ELSE ${adAlerts.state} END`,
            resolvedAt: sql`CASE WHEN ${adAlerts.resolvedBy} = 'auto' THEN NULL ELSE ${adAlerts.resolvedAt} END`,
            resolvedBy: sql`CASE WHEN ${adAlerts.resolvedBy} = 'auto' THEN NULL ELSE ${adAlerts.resolvedBy} END`,
          },
        }),
    ),
    ...input.refresh.map(({ id, observation: o }) =>
      db
        .update(adAlerts)
        .set({
          campaignName: o.campaignName,
          observed: o.observed,
          baseline: o.baseline,
          threshold: o.threshold,
          message: o.message,
          runId,
          lastSeenAt: now,
        })
        .where(and(eq(adAlerts.projectId, projectId), eq(adAlerts.id, id), ne(adAlerts.state, "resolved"))),
    ),
    ...input.clear.map((id) =>
      db
        .update(adAlerts)
        .set({ state: "resolved", resolvedAt: now, resolvedBy: "auto" })
        .where(and(eq(adAlerts.projectId, projectId), eq(adAlerts.id, id), ne(adAlerts.state, "resolved"))),
    ),
  ];
  const [first, ...rest] = statements;
  if (!first) return;
  await db.batch([first, ...rest]);
}

export interface AlertFilter {
  state?: AdAlertState;
  kind?: AdAlertKind;
  channel?: AdChannel;
  campaignId?: string;
  after?: { firstSeenAt: number; id: string };
}

/** The project's alerts, newest first, keyset-paged on (first_seen_at, id). */
export function listAlerts(
  db: Db,
  projectId: string,
  limit: number,
  f: AlertFilter = {},
): Promise<AdAlertRow[]> {
  const a = f.after;
  return db
    .select()
    .from(adAlerts)
    .where(
      and(
        eq(adAlerts.projectId, projectId),
        f.state ? eq(adAlerts.state, f.state) : undefined,
        f.kind ? eq(adAlerts.kind, f.kind) : undefined,
        f.channel ? eq(adAlerts.channel, f.channel) : undefined,
        f.campaignId ? eq(adAlerts.campaignId, f.campaignId) : undefined,
        a
          ? or(
              lt(adAlerts.firstSeenAt, a.firstSeenAt),
              and(eq(adAlerts.firstSeenAt, a.firstSeenAt), lt(adAlerts.id, a.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(adAlerts.firstSeenAt), desc(adAlerts.id))
    .limit(limit);
}

export async function getAlert(db: Db, projectId: string, alertId: string): Promise<AdAlertRow | null> {
  const [row] = await db
    .select()
    .from(adAlerts)
    .where(and(eq(adAlerts.projectId, projectId), eq(adAlerts.id, alertId)));
  return row ?? null;
}

/** Acknowledges an open alert; null when it is not open (the caller reads why). */
export async function acknowledgeAlert(
  db: Db,
  input: { projectId: string; alertId: string; now: number },
): Promise<AdAlertRow | null> {
  const [row] = await db
    .update(adAlerts)
    .set({ state: "acknowledged", acknowledgedAt: input.now })
    .where(
      and(
        eq(adAlerts.projectId, input.projectId),
        eq(adAlerts.id, input.alertId),
        eq(adAlerts.state, "open"),
      ),
    )
    .returning();
  return row ?? null;
}

/** Resolves an alert that is open or acknowledged; null when it is already resolved or absent. */
export async function resolveAlert(
  db: Db,
  input: { projectId: string; alertId: string; now: number },
): Promise<AdAlertRow | null> {
  const [row] = await db
    .update(adAlerts)
    .set({ state: "resolved", resolvedAt: input.now, resolvedBy: "user" })
    .where(
      and(
        eq(adAlerts.projectId, input.projectId),
        eq(adAlerts.id, input.alertId),
        ne(adAlerts.state, "resolved"),
      ),
    )
    .returning();
  return row ?? null;
}

export async function insertAdInsight(db: Db, row: AdInsightRow): Promise<void> {
  await db.insert(adInsights).values(row);
}

/** The newest insight of the project, or null. */
export async function latestAdInsight(db: Db, projectId: string): Promise<AdInsightRow | null> {
  const [row] = await db
    .select()
    .from(adInsights)
    .where(eq(adInsights.projectId, projectId))
    .orderBy(desc(adInsights.createdAt), desc(adInsights.id))
    .limit(1);
  return row ?? null;
}
