import type { VariantRow } from "@pushbunny/db";
import type { AnalysisReport } from "@pushbunny/llm";
import { ScrollBox } from "../layout";

/**
 * A Chart.js-style series over categories (arm labels or days), drawn by static/client.ts from
 * `data-plot`: lines, or grouped bars (a pie is drawn as bars: shares read better side by side).
 */
export interface PlotSpec {
  type: "bar" | "line" | "pie";
  title: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  yLabel?: string;
}

/** The strategies whose split follows the evidence: their traffic moves between arms day by day. */
export const BANDIT_STRATEGIES: ReadonlySet<string> = new Set(["thompson"]);

/** A stored analysis plot (a Chart.js configuration) as the page draws it. */
export function fromChartJs(plot: AnalysisReport["plots"][number]): PlotSpec {
  return {
    type: plot.type,
    title: plot.options.plugins.title.text,
    labels: plot.data.labels,
    datasets: plot.data.datasets.map((d) => ({ label: d.label, data: d.data })),
  };
}

/**
 * Each arm's share of the day's impressions (%), from the daily counts the page already read.
 * Days without impressions are gaps, not 0%.
 */
export function trafficSplit(
  arms: { variant: VariantRow; label: string }[],
  daily: { variantId: string; day: string; impressions: number }[],
): PlotSpec {
  const days = [...new Set(daily.map((d) => d.day))].sort();
  const totals = new Map<string, number>();
  const at = new Map<string, number>();
  const armIds = new Set(arms.map((a) => a.variant.id));
  for (const d of daily) {
    if (!armIds.has(d.variantId)) continue;
    totals.set(d.day, (totals.get(d.day) ?? 0) + d.impressions);
    at.set(`${d.day}|${d.variantId}`, d.impressions);
  }
  return {
    type: "line",
    title: "Traffic split per day",
    yLabel: "share of impressions (%)",
    labels: days,
    datasets: arms.map((a) => ({
      label: a.label,
      data: days.map((day) => {
        const total = totals.get(day) ?? 0;
        if (total === 0) return null;
        return Math.round(((at.get(`${day}|${a.variant.id}`) ?? 0) / total) * 1000) / 10;
      }),
    })),
  };
}

const cell = (x: number | null) =>
  x === null ? "—" : x.toLocaleString("en-US", { maximumFractionDigits: 2 });

/**
 * A plot with its numbers: the chart for the eye, the same values as a table for screen readers
 * and for pages without JavaScript. `lastRows` keeps long series (days) to their end.
 */
export function Plot(p: { spec: PlotSpec; lastRows?: number }) {
  const rows = p.spec.labels.map((label, i) => ({ label, i }));
  const shown = p.lastRows ? rows.slice(-p.lastRows) : rows;
  return (
    <figure class="panel">
      <figcaption>
        <strong>{p.spec.title}</strong>
      </figcaption>
      <div class="chart" data-plot={JSON.stringify(p.spec)} role="img" aria-label={p.spec.title}>
        <p class="muted">The chart needs JavaScript; its numbers are in the table.</p>
      </div>
      <details>
        <summary>
          Numbers{shown.length < rows.length ? `, last ${shown.length} of ${rows.length}` : ""}
        </summary>
        <ScrollBox label={`${p.spec.title}: numbers`}>
          <table>
            <thead>
              <tr>
                <th scope="col">
                  {p.spec.labels.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(p.spec.labels[0] ?? "")
                    ? "Day (UTC)"
                    : "Arm"}
                </th>
                {p.spec.datasets.map((d) => (
                  <th scope="col" class="num">
                    {d.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr>
                  <th scope="row">{r.label}</th>
                  {p.spec.datasets.map((d) => (
                    <td class="num">{cell(d.data[r.i] ?? null)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </details>
    </figure>
  );
}
