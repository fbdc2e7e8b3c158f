import { and, asc, desc, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type AnalysisRow,
  type AnalysisSource,
  analyses,
  type ExperimentRow,
  experimentProposals,
  experiments,
  type ProposalRow,
  type ProposalStatus,
} from "../schema";

/**
 * Stores an analysis. One of real traffic also stamps the experiment's `reported_at`, which
 * is how the hourly job knows what it has already narrated.
 */
export async function insertAnalysis(db: Db, row: AnalysisRow): Promise<void> {
  const insert = db.insert(analyses).values(row);
  if (row.source === "simulation") {
    await insert;
    return;
  }
  await db.batch([
    insert,
    db
      .update(experiments)
      .set({ reportedAt: row.createdAt })
      .where(and(eq(experiments.projectId, row.projectId), eq(experiments.id, row.experimentId))),
  ]);
}

/** The newest analysis of an experiment: of real traffic by default, or of its simulation. */
export async function latestAnalysis(
  db: Db,
  input: { projectId: string; experimentId: string; simulated: boolean },
): Promise<AnalysisRow | null> {
  const rows = await db
    .select()
    .from(analyses)
    .where(
      and(
        eq(analyses.projectId, input.projectId),
        eq(analyses.experimentId, input.experimentId),
        input.simulated ? eq(analyses.source, "simulation") : ne(analyses.source, "simulation"),
      ),
    )
    .orderBy(desc(analyses.createdAt), desc(analyses.id))
    .limit(1);
  return rows[0] ?? null;
}

const REPORT_SLACK_MS = 5 * 60_000;

/**
 * Running experiments with real data newer than their last narrative, whose last narrative is
 * at least `minAgeMs` old (the analysis interval): what the hourly job writes about.
 */
export function experimentsDueForReport(
  db: Db,
  input: { now: number; minAgeMs: number; limit: number },
): Promise<ExperimentRow[]> {
  return db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.status, "running"),
        sql`${experiments.dataAt} IS NOT NULL`,
        or(
          isNull(experiments.reportedAt),
          and(
            sql`${experiments.dataAt} > ${experiments.reportedAt}`,
            // Slack for the run's own duration: a run stamped a few seconds after the hour
            // mark is still due at the next hourly cron.
            lt(experiments.reportedAt, input.now - input.minAgeMs + REPORT_SLACK_MS),
          ),
        ),
      ),
    )
    .orderBy(asc(experiments.reportedAt), asc(experiments.dataAt))
    .limit(input.limit);
}

/** Records a proposal; older pending ones of the experiment are superseded by it. */
export async function insertProposal(db: Db, row: ProposalRow): Promise<void> {
  await db.batch([
    db
      .update(experimentProposals)
      .set({ status: "superseded", decidedAt: row.createdAt })
      .where(
        and(
          eq(experimentProposals.projectId, row.projectId),
          eq(experimentProposals.experimentId, row.experimentId),
          eq(experimentProposals.status, "pending"),
        ),
      ),
    db.insert(experimentProposals).values(row),
  ]);
}

export async function findProposal(
  db: Db,
  input: { projectId: string; experimentId: string; proposalId: string },
): Promise<ProposalRow | null> {
  const rows = await db
    .select()
    .from(experimentProposals)
    .where(
      and(
        eq(experimentProposals.projectId, input.projectId),
        eq(experimentProposals.experimentId, input.experimentId),
        eq(experimentProposals.id, input.proposalId),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Moves a pending proposal to a final status; false when it was no longer pending (a second
 * confirmation, or one racing another), so it is applied at most once.
 */
export async function decideProposal(
  db: Db,
  input: { projectId: string; proposalId: string; status: Exclude<ProposalStatus, "pending">; now: number },
): Promise<boolean> {
  const rows = await db
    .update(experimentProposals)
    .set({ status: input.status, decidedAt: input.now })
    .where(
      and(
        eq(experimentProposals.projectId, input.projectId),
        eq(experimentProposals.id, input.proposalId),
        eq(experimentProposals.status, "pending"),
      ),
    )
    .returning({ id: experimentProposals.id });
  return rows.length === 1;
}

export type { AnalysisSource };

/** Undoes a claim whose change failed to apply (only the claim made at `decidedAt`). */
export async function reopenProposal(
  db: Db,
  input: { projectId: string; proposalId: string; decidedAt: number },
) {
  await db
    .update(experimentProposals)
    .set({ status: "pending", decidedAt: null })
    .where(
      and(
        eq(experimentProposals.projectId, input.projectId),
        eq(experimentProposals.id, input.proposalId),
        eq(experimentProposals.status, "applied"),
        eq(experimentProposals.decidedAt, input.decidedAt),
      ),
    );
}
