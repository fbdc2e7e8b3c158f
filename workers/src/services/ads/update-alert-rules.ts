import { type AdAlertKind, listAlertRules, upsertAlertRules } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, type ErrorIssue } from "../../errors";
import { type AlertRule, effectiveRules, RULE_SPECS } from "./insights/rules";

export interface AlertRulePatch {
  kind: AdAlertKind;
  enabled?: boolean;
  threshold?: number;
  minBaseline?: number;
}

/**
 * Changes the named rules (fields left out keep their value) and returns every rule. Bounds
 * are per kind (RULE_SPECS); the change applies from the next sync.
 */
export async function updateAlertRules({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { rules: AlertRulePatch[] };
}): Promise<AlertRule[]> {
  const issues: ErrorIssue[] = [];
  const seen = new Set<string>();
  input.rules.forEach((r, i) => {
    if (seen.has(r.kind)) issues.push({ path: `rules.${i}.kind`, message: `${r.kind} is listed twice` });
    seen.add(r.kind);
    const spec = RULE_SPECS[r.kind];
    if (!spec) {
      issues.push({ path: `rules.${i}.kind`, message: "is not an alert kind" });
      return;
    }
    const t = spec.threshold;
    if (r.threshold !== undefined) {
      if (!Number.isFinite(r.threshold) || r.threshold < t.min || r.threshold > t.max)
        issues.push({
          path: `rules.${i}.threshold`,
          message: `must be between ${t.min} and ${t.max} for ${r.kind}`,
        });
      else if (t.integer && !Number.isInteger(r.threshold))
        issues.push({
          path: `rules.${i}.threshold`,
          message: `must be a whole number of days for ${r.kind}`,
        });
    }
    const m = spec.minBaseline;
    if (
      r.minBaseline !== undefined &&
      (!Number.isFinite(r.minBaseline) || r.minBaseline < m.min || r.minBaseline > m.max)
    )
      issues.push({
        path: `rules.${i}.min_baseline`,
        message: `must be between ${m.min} and ${m.max} for ${r.kind}`,
      });
  });
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
  const current = effectiveRules(await listAlertRules(ctx.db, projectId));
  const now = ctx.now();
  await upsertAlertRules(
    ctx.db,
    input.rules.map((patch) => {
      const rule = current.find((r) => r.kind === patch.kind) as AlertRule;
      return {
        projectId,
        kind: patch.kind,
        enabled: patch.enabled ?? rule.enabled,
        threshold: patch.threshold ?? rule.threshold,
        minBaseline: patch.minBaseline ?? rule.minBaseline,
        updatedAt: now,
      };
    }),
  );
  return effectiveRules(await listAlertRules(ctx.db, projectId));
}
