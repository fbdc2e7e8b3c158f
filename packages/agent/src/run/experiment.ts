/** One segment of a web experiment; the first segment of a list is the control. */
export interface SegmentSpec {
  key: string;
  name: string;
  trafficPercent: number;
  description: string;
}

/** The experiment a run implements, as the person described it. */
export interface ExperimentSpec {
  key: string;
  hypothesis: string;
  targetType: "page" | "component";
  /** A URL path ("/pricing") for a page, a component name ("PricingTable") for a component. */
  target: string;
  segments: SegmentSpec[];
  primaryMetric: string;
  secondaryMetrics: string[];
  /** A deployed preview of the app; `#seg-<key>` is appended to preview a segment. */
  previewUrl: string | null;
}

const KEY = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const METRIC = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Problems with the spec that code generation depends on; empty when it is usable. */
export function experimentProblems(experiment: ExperimentSpec): string[] {
  const problems: string[] = [];
  if (!KEY.test(experiment.key))
    problems.push(`experiment key "${experiment.key}" must be lower-case letters, digits, "-" or "_"`);
  if (experiment.segments.length < 2) problems.push("an experiment needs a control and at least one segment");
  const seen = new Set<string>();
  for (const segment of experiment.segments) {
    if (!KEY.test(segment.key))
      problems.push(`segment key "${segment.key}" must be lower-case letters, digits, "-" or "_"`);
    if (seen.has(segment.key)) problems.push(`segment key "${segment.key}" is used twice`);
    seen.add(segment.key);
  }
  for (const metric of [experiment.primaryMetric, ...experiment.secondaryMetrics]) {
    if (!METRIC.test(metric))
      problems.push(`metric "${metric}" must be 1-64 letters, digits, "_", ".", ":" or "-"`);
  }
  if (experiment.target.trim() === "") problems.push("the target is empty");
  return problems;
}
