/**
 * What code computed about a project's ad channels after a sync: the numbers an insight may
 * cite. Snake_case, because the snapshot is stored and served as is.
 */

export const AD_ALERT_KINDS = ["spend_spike", "roas_drop", "conversions_stop"] as const;
export type AdInsightAlertKind = (typeof AD_ALERT_KINDS)[number];

/** Totals of one window: cost and value in the account's currency; ratios null without a denominator. */
export interface AdWindowStats {
  /** Days with data in the window. */
  days: number;
  cost: number;
  conversions: number;
  conversion_value: number;
  /** Conversion value ÷ cost. */
  roas: number | null;
  /** Cost ÷ conversions. */
  cpa: number | null;
  /** Cost ÷ days with data. */
  daily_cost: number | null;
}

/** One channel (campaign_id null) or one campaign on one channel, current window vs baseline. */
export interface AdEntityStats {
  channel: string;
  campaign_id: string | null;
  campaign_name: string | null;
  current: AdWindowStats;
  baseline: AdWindowStats;
  /** Relative changes of the daily cost, ROAS and CPA (0.25 = up 25%); null when not comparable. */
  spend_change: number | null;
  roas_change: number | null;
  cpa_change: number | null;
}

export interface AdSnapshotAlert {
  kind: AdInsightAlertKind;
  channel: string;
  campaign_id: string;
  observed: number;
  baseline: number;
  threshold: number;
}

/** What code decided deserves more or less budget; an insight may only recommend these. */
export interface AdCandidate {
  action: "scale" | "cut";
  channel: string;
  campaign_id: string;
  /** Why code picked it: strong_roas, roas_below_1, or an alert kind. */
  reason: string;
}

export interface AdInsightSnapshot {
  as_of: string;
  computed_at: string;
  window: { current_from: string; current_to: string; baseline_from: string; baseline_to: string };
  total: AdEntityStats;
  channels: AdEntityStats[];
  campaigns: AdEntityStats[];
  alerts: AdSnapshotAlert[];
  candidates: AdCandidate[];
}
