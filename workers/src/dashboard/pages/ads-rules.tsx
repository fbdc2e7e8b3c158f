import { AD_ALERT_KINDS, type AdAlertKind } from "@pushbunny/db";
import type { ErrorIssue } from "../../errors";
import { AlertRulesUpdate } from "../../http/routes/ads/insight-schemas";
import type { AlertRule } from "../../services/ads/insights/rules";
import { RULE_SPECS } from "../../services/ads/insights/rules";
import type { AlertRulePatch } from "../../services/ads/update-alert-rules";
import { Csrf } from "../layout";

/** What the rules form shows per kind: the stored rule, or what the person typed when it was refused. */
export interface RuleFields {
  enabled: boolean;
  threshold: string;
  minBaseline: string;
}
export type RulesForm = Record<AdAlertKind, RuleFields>;
export type RuleProblems = Partial<Record<AdAlertKind, string[]>>;

/** Each kind's name and what its two numbers mean, in the words of the API's RULES_DESCRIPTION. */
const RULE_TEXT: Record<AdAlertKind, { name: string; threshold: string; minBaseline: string }> = {
  spend_spike: {
    name: "Spend spike",
    threshold:
      "Alert when the last 7 days' mean daily spend is at least this many times the median daily spend of the 28 days before",
    minBaseline: "Skip campaigns whose baseline median daily spend is below",
  },
  roas_drop: {
    name: "ROAS drop",
    threshold: "Alert when ROAS falls by at least this fraction of the 28 days before (0.5 = halved)",
    minBaseline: "Skip campaigns that spent less than this over the 28 baseline days",
  },
  conversions_stop: {
    name: "Conversions stop",
    threshold: "Alert after this many days in a row, up to the last one, with spend and no conversion",
    minBaseline: "Skip campaigns that converted fewer than this many a day in the 28 days before",
  },
};

/** The form's fields from the stored rules. */
export function rulesForm(rules: AlertRule[]): RulesForm {
  const out = {} as RulesForm;
  for (const r of rules) {
    out[r.kind] = { enabled: r.enabled, threshold: String(r.threshold), minBaseline: String(r.minBaseline) };
  }
  return out;
}

const FIELD_OF: Record<string, string> = { threshold: "threshold", min_baseline: "minimum baseline" };

/**
 * The posted form as the body PUT /v1/ads/alert-rules takes, validated by the route's own schema
 * (AlertRulesUpdate); the per-kind bounds are the verb's (updateAlertRules), applied when it runs.
 * Blank or non-numeric fields are refused here, in words, rather than as zod's "expected number".
 */
export function readRulesForm(form: Record<string, unknown>): {
  fields: RulesForm;
  patches: AlertRulePatch[];
  problems: RuleProblems;
} {
  const fields = {} as RulesForm;
  const problems: RuleProblems = {};
  const body: { kind: AdAlertKind; enabled: boolean; threshold: number; min_baseline: number }[] = [];
  const posted = new Set([form.rule].flat().filter((x): x is string => typeof x === "string"));
  for (const kind of AD_ALERT_KINDS) {
    if (!posted.has(kind)) continue;
    const text = (k: string) => {
      const v = form[`${kind}.${k}`];
      return typeof v === "string" ? v.trim() : "";
    };
    const f: RuleFields = {
      enabled: text("enabled") === "on",
      threshold: text("threshold"),
      minBaseline: text("min_baseline"),
    };
    fields[kind] = f;
    const mine: string[] = [];
    const num = (v: string, what: string) => {
      const n = v === "" ? Number.NaN : Number(v);
      if (!Number.isFinite(n)) mine.push(`The ${what} must be a number.`);
      return n;
    };
    const threshold = num(f.threshold, "threshold");
    const minBaseline = num(f.minBaseline, "minimum baseline");
    if (mine.length > 0) problems[kind] = mine;
    body.push({ kind, enabled: f.enabled, threshold, min_baseline: minBaseline });
  }
  if (body.length === 0) return { fields, patches: [], problems: { spend_spike: ["No rule was sent."] } };
  if (Object.keys(problems).length > 0) return { fields, patches: [], problems };
  const parsed = AlertRulesUpdate.safeParse({ rules: body });
  if (!parsed.success) {
    return { fields, patches: [], problems: { [body[0]?.kind ?? "spend_spike"]: [parsed.error.message] } };
  }
  return {
    fields,
    patches: parsed.data.rules.map((r) => ({
      kind: r.kind,
      ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
      ...(r.threshold !== undefined ? { threshold: r.threshold } : {}),
      ...(r.min_baseline !== undefined ? { minBaseline: r.min_baseline } : {}),
    })),
    problems,
  };
}

/** The verb's issues (`rules.1.threshold: must be between …`) put back on the kind they belong to. */
export function problemsOf(issues: ErrorIssue[], patches: AlertRulePatch[]): RuleProblems {
  const out: RuleProblems = {};
  for (const i of issues) {
    const m = /^rules\.(\d+)\.(\w+)$/.exec(i.path);
    const kind = m ? patches[Number(m[1])]?.kind : undefined;
    const at = kind ?? patches[0]?.kind ?? "spend_spike";
    const what = m ? (FIELD_OF[m[2] ?? ""] ?? m[2]) : "rule";
    out[at] = [...(out[at] ?? []), `The ${what} ${i.message}.`];
  }
  return out;
}

/** The rules as a form for people who may change them (the route's `write`), read-only otherwise. */
export function RulesPanel(p: {
  projectId: string;
  csrf: string;
  canWrite: boolean;
  rules: AlertRule[];
  fields?: RulesForm | undefined;
  problems?: RuleProblems | undefined;
}) {
  const fields = { ...rulesForm(p.rules), ...(p.fields ?? {}) };
  const problems = p.problems ?? {};
  const refused = Object.values(problems).some((x) => x && x.length > 0);
  return (
    <section class="panel" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      <p class="muted">
        Checked after each sync against every campaign's own last 28 days; a change applies from the next
        sync.{p.canWrite ? null : " Members and up can change them."}
      </p>
      {refused ? (
        <p class="error" role="alert">
          Nothing was changed: fix the rules marked below.
        </p>
      ) : null}
      <form class="stack" method="post" action={`/app/p/${p.projectId}/ads/alert-rules`}>
        <Csrf token={p.csrf} />
        {AD_ALERT_KINDS.map((kind) => {
          const f = fields[kind];
          const t = RULE_TEXT[kind];
          const spec = RULE_SPECS[kind];
          const custom = p.rules.find((r) => r.kind === kind)?.customized;
          const mine = problems[kind] ?? [];
          const errId = `rule-${kind}-problems`;
          return (
            <fieldset disabled={!p.canWrite} aria-describedby={mine.length > 0 ? errId : undefined}>
              <legend>
                {t.name}
                {custom ? null : <span class="muted"> (default)</span>}
              </legend>
              <input type="hidden" name="rule" value={kind} />
              {mine.length > 0 ? (
                <ul class="error" id={errId}>
                  {mine.map((x) => (
                    <li>{x}</li>
                  ))}
                </ul>
              ) : null}
              <label class="check">
                <input type="checkbox" name={`${kind}.enabled`} checked={f.enabled} /> {t.name} alerts on
              </label>
              <label>
                {t.threshold} ({spec.threshold.min}–{spec.threshold.max}
                {spec.threshold.integer ? ", whole days" : ""})
                <input
                  name={`${kind}.threshold`}
                  type="number"
                  step={spec.threshold.integer ? "1" : "any"}
                  min={spec.threshold.min}
                  max={spec.threshold.max}
                  required
                  value={f.threshold}
                  aria-invalid={mine.length > 0 ? "true" : undefined}
                />
              </label>
              <label>
                {t.minBaseline}
                <input
                  name={`${kind}.min_baseline`}
                  type="number"
                  step="any"
                  min={spec.minBaseline.min}
                  max={spec.minBaseline.max}
                  required
                  value={f.minBaseline}
                  aria-invalid={mine.length > 0 ? "true" : undefined}
                />
              </label>
            </fieldset>
          );
        })}
        {p.canWrite ? <button type="submit">Save alert rules</button> : null}
      </form>
    </section>
  );
}
