import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type GithubInstallationRow,
  type GithubInstallationState,
  githubInstallations,
  projects,
  type WebExperimentRow,
  webExperiments,
} from "../schema";

export async function findGithubInstallation(
  db: Db,
  projectId: string,
): Promise<GithubInstallationRow | null> {
  const [row] = await db
    .select()
    .from(githubInstallations)
    .where(eq(githubInstallations.projectId, projectId))
    .limit(1);
  return row ?? null;
}

/**
 * Connects a project to an installation, replacing an earlier connection of the project. Null
 * when another project holds the installation: the check and the write are one statement, so
 * two setups finishing at once cannot both link it.
 */
export async function upsertGithubInstallation(
  db: Db,
  row: Omit<GithubInstallationRow, "createdAt" | "updatedAt" | "state"> & {
    state?: GithubInstallationState;
    now: number;
  },
): Promise<GithubInstallationRow | null> {
  const { now, state = "active", ...v } = row;
  const written = await db.$client
    .prepare(
      `INSERT INTO github_installations (project_id, installation_id, account_login, account_type,
         repository_selection, state, connected_by, created_at, updated_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8
       WHERE NOT EXISTS (SELECT 1 FROM github_installations WHERE installation_id = ?2 AND project_id <> ?1)
       ON CONFLICT (project_id) DO UPDATE SET installation_id = excluded.installation_id,
         account_login = excluded.account_login, account_type = excluded.account_type,
         repository_selection = excluded.repository_selection, state = excluded.state,
         connected_by = excluded.connected_by, updated_at = excluded.updated_at`,
    )
    .bind(
      v.projectId,
      v.installationId,
      v.accountLogin,
      v.accountType,
      v.repositorySelection,
      state,
      v.connectedBy,
      now,
    )
    .run();
  if (written.meta.changes === 0) return null;
  return findGithubInstallation(db, v.projectId);
}

/** Disconnects a project; false when it was not connected. */
export async function deleteGithubInstallation(db: Db, projectId: string): Promise<boolean> {
  const rows = await db
    .delete(githubInstallations)
    .where(eq(githubInstallations.projectId, projectId))
    .returning({ projectId: githubInstallations.projectId });
  return rows.length > 0;
}

/**
 * Sets the state of every project connected to an installation (GitHub's installation events
 * name the installation, not a project); returns the projects changed.
 */
export async function setGithubInstallationState(
  db: Db,
  installationId: number,
  state: GithubInstallationState,
  now: number,
): Promise<string[]> {
  const rows = await db
    .update(githubInstallations)
    .set({ state, updatedAt: now })
    .where(eq(githubInstallations.installationId, installationId))
    .returning({ projectId: githubInstallations.projectId });
  return rows.map((r) => r.projectId);
}

/**
 * The web experiments whose PR this is: same repository and pull number, in a project connected
 * to the installation GitHub says sent the event. A payload naming another installation's
 * repository finds nothing.
 */
export async function findWebExperimentsByPull(
  db: Db,
  input: { installationId: number; repository: string; pullNumber: number },
): Promise<WebExperimentRow[]> {
  const rows = await db
    .select({ experiment: webExperiments })
    .from(webExperiments)
    .innerJoin(githubInstallations, eq(githubInstallations.projectId, webExperiments.projectId))
    .where(
      and(
        // GitHub names are case-insensitive; people type them as they like.
        sql`lower(${webExperiments.repository}) = ${input.repository.toLowerCase()}`,
        eq(webExperiments.pullNumber, input.pullNumber),
        eq(githubInstallations.installationId, input.installationId),
      ),
    )
    .limit(10);
  return rows.map((r) => r.experiment);
}

/** The projects an installation is connected to (at most one, since setup refuses a second). */
export async function listProjectsOfInstallation(db: Db, installationId: number): Promise<string[]> {
  const rows = await db
    .select({ projectId: githubInstallations.projectId })
    .from(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId))
    .limit(10);
  return rows.map((r) => r.projectId);
}

/** A project's display name for pages a person reads (the setup callback's refusals). */
export async function findProjectName(db: Db, projectId: string): Promise<string | null> {
  const [row] = await db
    .select({ name: projects.name })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1);
  return row?.name ?? null;
}
