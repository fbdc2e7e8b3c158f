/**
 * What an analysis is about: the statistics code computed for one experiment, rounded for
 * presentation. The LLM narrates these numbers and may use no others.
 */

export type DecisionStatus = "collecting" | "underpowered" | "srm_alarm" | "winner" | "no_difference";

/** Conditions an analysis must state whatever the narrative says. */
export type AnalysisFlag = "collecting" | "underpowered" | "srm_alarm" | "no_significant_difference";

export interface SnapshotArm {
  variant_id: string;
  /** "Control", "B", "C" …: what charts and narratives call the arm. */
  label: string;
  text: string;
  source: string;
  status: string;
  control: boolean;
  impressions: number;
  successes: number;
  rate: number;
  ci95_low: number;
  ci95_high: number;
  /** Relative uplift over the control's rate (null for the control or a zero control rate). */
  uplift: number | null;
  /** Absolute difference from the control's rate (null for the control). */
  diff_vs_control: number | null;
  p_value_holm: number | null;
  chance_to_beat: number | null;
  p_best: number;
  expected_loss: number;
  guards_met: boolean;
}

export interface AnalysisSnapshot {
  experiment_id: string;
  intent_id: string;
  locale: string;
  strategy: string;
  goal_metric: "opened" | "conversion";
  /** Which traffic the numbers count. */
  lane: "real" | "simulated";
  decision: { status: DecisionStatus; variant_id: string | null; reason: string };
  flags: AnalysisFlag[];
  method: {
    confidence_level: number;
    alpha: number;
    win_probability: number;
    min_sample: number;
  };
  arms: SnapshotArm[];
  holdout: {
    impressions: number;
    successes: number;
    rate: number;
    ci95_low: number;
    ci95_high: number;
  } | null;
  srm: { chi2: number; p_value: number; alarm: boolean } | null;
  daily: { day: string; variant_id: string; impressions: number; successes: number; rate: number }[];
  totals: {
    impressions: number;
    successes: number;
    rate: number;
    arms: number;
    challengers: number;
    days: number;
  };
  computed_at: string;
}

/** The flags a decision implies: the words an analysis must contain. */
export function flagsFor(decision: DecisionStatus, srmAlarm: boolean): AnalysisFlag[] {
  const flags: AnalysisFlag[] = [];
  if (srmAlarm || decision === "srm_alarm") flags.push("srm_alarm");
  if (decision === "collecting") flags.push("collecting");
  if (decision === "underpowered") flags.push("underpowered");
  if (decision === "no_difference") flags.push("no_significant_difference");
  return flags;
}

/** Arm labels in pool order: the control first, then B, C, … (Z, then AA). */
export function armLabel(index: number, control: boolean): string {
  if (control) return "Control";
  let n = index;
  let out = "";
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

/** Rounds for presentation: rates and probabilities to 4 decimals, statistics to 3. */
export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
