import { newId } from "@pushbunny/core";
import { countOwnedLiveProjects, insertProjectWithOwner } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import {
  checkChallengerCount,
  checkLocale,
  checkProjectName,
  OWNED_PROJECTS_MAX,
  type Project,
} from "./rules";

/**
 * A new project with the person creating it as its owner; 409 once they own OWNED_PROJECTS_MAX
 * live ones. The count is read before the insert, so creates racing at once may pass it by a
 * few (each still spends the management budget); it bounds growth, not an exact number.
 */
export async function createProject({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string; name: string; defaultLocale?: string; challengerCount?: number };
}): Promise<Project> {
  const name = checkProjectName(input.name);
  const defaultLocale = input.defaultLocale === undefined ? "en-US" : checkLocale(input.defaultLocale);
  // New projects start with the deployment's challenger count, as the bootstrap project does.
  const challengerCount = checkChallengerCount(input.challengerCount ?? ctx.config.challengerCount);
  if ((await countOwnedLiveProjects(ctx.db, input.userId)) >= OWNED_PROJECTS_MAX) {
    throw new ConflictError(
      `you already own ${OWNED_PROJECTS_MAX} projects, the most one person may own: delete one you no longer need (DELETE /v1/projects/{project_id}) or make someone else its owner and leave it`,
    );
  }
  const now = ctx.now();
  const createdBy = `user:${input.userId}`;
  const project: Project = {
    id: newId("prj"),
    name,
    defaultLocale,
    challengerCount,
    metricsRequireKey: false,
    timeZone: "UTC",
    createdBy,
    createdAt: now,
    updatedAt: now,
    role: "owner",
  };
  await insertProjectWithOwner(ctx.db, {
    id: project.id,
    name,
    defaultLocale,
    challengerCount,
    createdBy,
    ownerUserId: input.userId,
    now,
  });
  await recordAudit({
    ctx,
    projectId: project.id,
    actor: createdBy,
    input: {
      action: "project.created",
      targetType: "project",
      targetId: project.id,
      details: { name, default_locale: defaultLocale, challenger_count: challengerCount },
    },
  });
  return project;
}
