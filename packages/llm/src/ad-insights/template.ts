import type { AdInsightReport } from "./report";
import type { AdCandidate, AdEntityStats, AdInsightSnapshot } from "./snapshot";

const pct = (x: number) => `${Math.abs(Math.round(x * 100))}%`;
const move = (x: number | null, up: string, down: string) =>
  x === null ? "" : x >= 0 ? `${up} ${pct(x)}` : `${down} ${pct(x)}`;

const ALERT_WORDS: Record<string, string> = {
  spend_spike: "spend spiked",
  roas_drop: "ROAS dropped",
  conversions_stop: "conversions stopped",
};

function name(e: Pick<AdEntityStats, "channel" | "campaign_name" | "campaign_id">): string {
  return e.campaign_id ? `"${e.campaign_name ?? e.campaign_id}" on ${e.channel}` : e.channel;
}

function line(e: AdEntityStats): string {
  const c = e.current;
  const parts = [`${name(e)} spent ${c.cost}`];
  if (c.roas !== null) parts.push(`at ROAS ${c.roas}`);
  if (c.cpa !== null) parts.push(`and CPA ${c.cpa}`);
  const trend = [
    move(e.spend_change, "daily spend up", "daily spend down"),
    move(e.roas_change, "ROAS up", "ROAS down"),
  ]
    .filter((t) => t.length > 0)
    .join(", ");
  return `${parts.join(" ")}${trend ? ` (${trend} vs the baseline)` : ""}.`;
}

function why(candidate: AdCandidate, campaign: AdEntityStats | undefined, totalRoas: number | null): string {
  const roas = campaign?.current.roas;
  switch (candidate.reason) {
    case "strong_roas":
      return `Its ROAS of ${roas} is above the account's ${totalRoas} and no alert is open on it.`;
    case "roas_below_1":
      return `Its ROAS of ${roas} means it returns less than it costs.`;
    default:
      return `An alert is open: ${ALERT_WORDS[candidate.reason] ?? candidate.reason}.`;
  }
}

/** The narrative written by code alone: served offline and whenever a model's answer is rejected. */
export function templateAdInsight(snapshot: AdInsightSnapshot): AdInsightReport {
  const t = snapshot.total;
  const w = snapshot.window;
  const summary =
    t.current.cost === 0
      ? `No spend from ${w.current_from} to ${w.current_to}.`
      : `From ${w.current_from} to ${w.current_to} the account spent ${t.current.cost}${
          t.current.roas !== null ? ` at ROAS ${t.current.roas}` : ""
        }${t.baseline.roas !== null ? ` (baseline ${t.baseline.roas})` : ""}. ${
          snapshot.alerts.length > 0
            ? `${snapshot.alerts.length} ${snapshot.alerts.length === 1 ? "alert needs" : "alerts need"} attention.`
            : "No anomaly was found."
        }`;
  const insights = [...snapshot.channels]
    .sort((a, b) => b.current.cost - a.current.cost)
    .slice(0, 4)
    .map(line);
  for (const a of snapshot.alerts.slice(0, 6 - insights.length)) {
    const c = snapshot.campaigns.find((x) => x.channel === a.channel && x.campaign_id === a.campaign_id);
    insights.push(`${c ? name(c) : `${a.campaign_id} on ${a.channel}`}: ${ALERT_WORDS[a.kind]}.`);
  }
  if (insights.length === 0) insights.push("No channel has data in the window yet.");
  const totalRoas = t.current.roas;
  const recommendations = snapshot.candidates.slice(0, 5).map((c) => {
    const campaign = snapshot.campaigns.find(
      (x) => x.channel === c.channel && x.campaign_id === c.campaign_id,
    );
    return {
      action: c.action,
      channel: c.channel,
      campaign_id: c.campaign_id,
      rationale: `${campaign ? `${name(campaign)}. ` : ""}${why(c, campaign, totalRoas)}`,
    };
  });
  return { summary, insights: insights.slice(0, 6), recommendations };
}
