import { type ProjectRecord, updateProjectSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError } from "../../errors";
import { publishMetricsPolicy } from "../../infra/metrics-policy";
import { recordAudit } from "../audit/record-audit";
import { canonicalZone } from "../campaigns/lib/time-zone";
import { mustProject } from "./get-project";
import { checkChallengerCount, checkLocale, checkProjectName } from "./rules";

function checkTimeZone(zone: string): string {
  const canonical = canonicalZone(zone);
  if (!canonical) {
    throw new BadRequestError(`time_zone: '${zone}' is not an IANA time zone (e.g. Europe/Paris)`, [
      { path: "time_zone", message: "not an IANA time zone" },
    ]);
  }
  return canonical;
}

export interface ProjectChanges {
  name?: string;
  defaultLocale?: string;
  challengerCount?: number;
  metricsRequireKey?: boolean;
  /** IANA name; stored canonical (`europe/paris` → `Europe/Paris`). */
  timeZone?: string;
}

/** Renames a project or changes its defaults; a rename and other changes are audited apart. */
export async function updateProject({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: ProjectChanges;
}): Promise<ProjectRecord> {
  const wanted: ProjectChanges = {
    ...(input.name !== undefined ? { name: checkProjectName(input.name) } : {}),
    ...(input.defaultLocale !== undefined ? { defaultLocale: checkLocale(input.defaultLocale) } : {}),
    ...(input.challengerCount !== undefined
      ? { challengerCount: checkChallengerCount(input.challengerCount) }
      : {}),
    ...(input.metricsRequireKey !== undefined ? { metricsRequireKey: input.metricsRequireKey } : {}),
    ...(input.timeZone !== undefined ? { timeZone: checkTimeZone(input.timeZone) } : {}),
  };
  const current = await mustProject(ctx, projectId);
  const set: ProjectChanges = {};
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  if (wanted.name !== undefined && wanted.name !== current.name) set.name = wanted.name;
  if (wanted.defaultLocale !== undefined && wanted.defaultLocale !== current.defaultLocale) {
    set.defaultLocale = wanted.defaultLocale;
    changed.default_locale = { from: current.defaultLocale, to: wanted.defaultLocale };
  }
  if (wanted.challengerCount !== undefined && wanted.challengerCount !== current.challengerCount) {
    set.challengerCount = wanted.challengerCount;
    changed.challenger_count = { from: current.challengerCount, to: wanted.challengerCount };
  }
  if (wanted.metricsRequireKey !== undefined && wanted.metricsRequireKey !== current.metricsRequireKey) {
    set.metricsRequireKey = wanted.metricsRequireKey;
    changed.metrics_require_key = { from: current.metricsRequireKey, to: wanted.metricsRequireKey };
  }
  if (wanted.timeZone !== undefined && wanted.timeZone !== current.timeZone) {
    set.timeZone = wanted.timeZone;
    changed.time_zone = { from: current.timeZone, to: wanted.timeZone };
  }
  if (Object.keys(set).length === 0) return current;

  const now = ctx.now();
  if (!(await updateProjectSettings(ctx.db, projectId, set, now))) {
    throw new NotFoundError("project not found");
  }
  if (set.metricsRequireKey !== undefined) {
    // Saved in D1 either way; without KV, other isolates read D1 once their cached copy (a
    // minute) and any older KV entry (an hour at most) expire.
    await publishMetricsPolicy(ctx, projectId, { live: true, requireKey: set.metricsRequireKey }).catch(
      (err: unknown) => ctx.logger.error("metrics policy not published", { projectId, error: String(err) }),
    );
  }
  if (set.name !== undefined) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "project.renamed",
        targetType: "project",
        targetId: projectId,
        details: { from: current.name, to: set.name },
      },
    });
  }
  if (Object.keys(changed).length > 0) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: { action: "project.updated", targetType: "project", targetId: projectId, details: changed },
    });
  }
  return { ...current, ...set, updatedAt: now };
}
