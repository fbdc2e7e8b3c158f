import { type DraftReport, expectedRecommendation } from "./report";
import { type AnalysisSnapshot, round, type SnapshotArm } from "./snapshot";

const pct = (x: number) => `${round(x * 100, 2)}%`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const metricName = (s: AnalysisSnapshot) => (s.goal_metric === "conversion" ? "conversion" : "open");

/**
 * The template analysis: every sentence is built from the snapshot, so it can never state a
 * number the statistics did not produce. Used when no LLM is configured and whenever an LLM's
 * answer fails validation.
 */
export function templateReport(s: AnalysisSnapshot): DraftReport {
  const metric = metricName(s);
  const control = s.arms.find((a) => a.control);
  const leader = s.arms.reduce<SnapshotArm | undefined>(
    (best, a) => (!best || a.p_best > best.p_best ? a : best),
    undefined,
  );
  const rec = expectedRecommendation(s);
  return {
    summary: summaryOf(s, metric, leader),
    insights: insightsOf(s, metric, control, leader),
    winner_recommendation: {
      action: rec.action,
      variant_id: rec.variant_id,
      rationale: s.decision.reason,
    },
    plots: plotsOf(s, metric),
  };
}

function summaryOf(s: AnalysisSnapshot, metric: string, leader: SnapshotArm | undefined): string {
  const scope = `${plural(s.totals.arms, "arm")}, ${plural(s.totals.impressions, "impression")} and ${plural(s.totals.successes, metric)} over ${plural(s.totals.days, "day")}`;
  const lane = s.lane === "simulated" ? " (simulated traffic)" : "";
  switch (s.decision.status) {
    case "winner": {
      const w = s.arms.find((a) => a.variant_id === s.decision.variant_id);
      return `Winner${lane}: ${w?.label ?? s.decision.variant_id} ${w ? `(${pct(w.rate)} ${metric} rate, P(best) ${pct(w.p_best)})` : ""} after ${scope}.`;
    }
    case "srm_alarm":
      return `SRM alarm${lane}: sample ratio mismatch (p = ${s.srm?.p_value ?? "n/a"}) across ${scope}; the results cannot be trusted until the traffic split is fixed.`;
    case "no_difference":
      return `No significant difference${lane} between the arms after ${scope}; keeping any of them costs at most a negligible ${metric} rate.`;
    case "collecting":
      return `Still collecting${lane}: ${scope} so far; every arm needs ${s.method.min_sample} impressions before it is compared.`;
    default:
      return `Underpowered${lane}: after ${scope}, ${leader ? `${leader.label} leads with P(best) ${pct(leader.p_best)}` : "no arm leads"}, but the evidence is not yet enough to call a winner.`;
  }
}

function insightsOf(
  s: AnalysisSnapshot,
  metric: string,
  control: SnapshotArm | undefined,
  leader: SnapshotArm | undefined,
): string[] {
  const out: string[] = [];
  for (const a of s.arms) {
    const vs =
      a.control || a.uplift === null
        ? ""
        : `, ${a.uplift >= 0 ? "+" : "-"}${pct(Math.abs(a.uplift))} relative to the control (Holm p = ${a.p_value_holm ?? "n/a"})`;
    out.push(
      `${a.label}: ${pct(a.rate)} ${metric} rate (95% interval ${pct(a.ci95_low)} to ${pct(a.ci95_high)}) on ${a.impressions} impressions${vs}.`,
    );
    if (out.length >= 5) break;
  }
  if (leader && control && leader !== control) {
    out.push(`${leader.label} has the highest chance of being best (${pct(leader.p_best)}).`);
  }
  if (s.holdout) {
    out.push(
      `The holdout, which got no notification, ${metric}s at ${pct(s.holdout.rate)} on ${s.holdout.impressions} users.`,
    );
  }
  if (s.srm) {
    out.push(
      s.srm.alarm
        ? `Sample ratio mismatch: chi-square ${s.srm.chi2}, p = ${s.srm.p_value}.`
        : `The traffic split matches the allocation plan (SRM p = ${s.srm.p_value}).`,
    );
  }
  return out.slice(0, 8);
}

function plotsOf(s: AnalysisSnapshot, metric: string): DraftReport["plots"] {
  const labels = s.arms.map((a) => a.label);
  const plots: DraftReport["plots"] = [
    {
      type: "bar",
      title: `${metric} rate by variant (%)`,
      labels,
      datasets: [
        { label: `${metric} rate %`, data: s.arms.map((a) => round(a.rate * 100, 2)) },
        { label: "95% low %", data: s.arms.map((a) => round(a.ci95_low * 100, 2)) },
        { label: "95% high %", data: s.arms.map((a) => round(a.ci95_high * 100, 2)) },
      ],
    },
    {
      type: "pie",
      title: "Impressions by variant",
      labels,
      datasets: [{ label: "impressions", data: s.arms.map((a) => a.impressions) }],
    },
  ];
  const days = [...new Set(s.daily.map((d) => d.day))].sort();
  if (days.length > 0) {
    plots.push({
      type: "line",
      title: `Daily ${metric} rate (%)`,
      labels: days,
      datasets: s.arms.map((a) => ({
        label: a.label,
        data: days.map((day) => {
          const row = s.daily.find((d) => d.day === day && d.variant_id === a.variant_id);
          return row ? round(row.rate * 100, 2) : 0;
        }),
      })),
    });
  }
  plots.push({
    type: "bar",
    title: "Chance of being best (%)",
    labels,
    datasets: [{ label: "P(best) %", data: s.arms.map((a) => round(a.p_best * 100, 2)) }],
  });
  return plots;
}
