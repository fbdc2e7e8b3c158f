import { AD_ALERT_KINDS, type AdAlertKind, type AdAlertRuleRow } from "@pushbunny/db";

/** One alert kind's setting as verbs see it. */
export interface AlertRule {
  kind: AdAlertKind;
  enabled: boolean;
  threshold: number;
  minBaseline: number;
  /** False while the project runs on the defaults for this kind. */
  customized: boolean;
}

interface RuleSpec {
  threshold: { default: number; min: number; max: number; integer?: boolean };
  minBaseline: { default: number; min: number; max: number };
}

/**
 * Defaults and bounds per kind (the ADR explains the choices):
 * - spend_spike: threshold = the current window's mean daily spend ÷ the baseline's median daily
 *   spend; min_baseline = the smallest baseline median daily spend worth watching.
 * - roas_drop: threshold = the fall of ROAS against the baseline (0.5: halved); min_baseline =
 *   the smallest baseline spend over the 28 days.
 * - conversions_stop: threshold = consecutive days to the last one with spend and no
 *   conversion; min_baseline = the smallest baseline mean of conversions per day.
 */
export const RULE_SPECS: Record<AdAlertKind, RuleSpec> = {
  spend_spike: {
    threshold: { default: 2, min: 1.1, max: 100 },
    minBaseline: { default: 10, min: 0, max: 1e9 },
  },
  roas_drop: {
    threshold: { default: 0.5, min: 0.05, max: 0.99 },
    minBaseline: { default: 100, min: 0, max: 1e9 },
  },
  conversions_stop: {
    threshold: { default: 3, min: 1, max: 7, integer: true },
    minBaseline: { default: 2, min: 0.1, max: 1e6 },
  },
};

/** The project's rules: its own rows where it set them, the defaults elsewhere. */
export function effectiveRules(rows: AdAlertRuleRow[]): AlertRule[] {
  return AD_ALERT_KINDS.map((kind) => {
    const row = rows.find((r) => r.kind === kind);
    const spec = RULE_SPECS[kind];
    return row
      ? {
          kind,
          enabled: row.enabled,
          threshold: row.threshold,
          minBaseline: row.minBaseline,
          customized: true,
        }
      : {
          kind,
          enabled: true,
          threshold: spec.threshold.default,
          minBaseline: spec.minBaseline.default,
          customized: false,
        };
  });
}
