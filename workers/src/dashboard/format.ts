/** Numbers as people read them on the pages: thousands separated, rates as percentages. */
export const int = (n: number) => n.toLocaleString("en-US");

export const pct = (r: number, digits = 1) => `${(r * 100).toFixed(digits)}%`;

export const interval = (ci: { low: number; high: number }) => `${pct(ci.low)}–${pct(ci.high)}`;

export const when = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** Labels for the loop's verdicts. */
export const DECISION_LABEL: Record<string, string> = {
  collecting: "collecting data",
  underpowered: "underpowered",
  srm_alarm: "SRM alarm",
  winner: "winner",
  no_difference: "no difference",
};

export const STRATEGY_LABEL: Record<string, string> = {
  round_robin: "round-robin",
  sticky: "sticky",
  thompson: "Thompson bandit",
};
