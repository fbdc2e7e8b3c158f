import { WEB_TARGET_TYPES, type WebTargetType } from "@pushbunny/db";
import { BadRequestError, type ErrorIssue } from "../../../errors";

/** Experiment and segment keys: they appear in URLs, class names and `#seg-<key>` previews. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Metric names as the SDK tracks them; `m:<name>` must stay a valid events type. */
export const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
export const MIN_SEGMENTS = 2;
export const MAX_SEGMENTS = 8;
export const MAX_SECONDARY_METRICS = 10;
const MAX_NAME = 120;
const MAX_DESCRIPTION = 2_000;
const MAX_HYPOTHESIS = 2_000;
const MAX_TARGET = 256;
const SUM_TOLERANCE = 0.001;
const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
// git check-ref-format, loosely: no spaces, no "..", no control characters, no leading "-".
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._\-/]{1,200}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** The engine intent a web experiment rides on. */
export const webIntent = (key: string) => `web:${key}`;

/** The engine variant text of a segment: the key makes every text unique, the name readable. */
export const segmentVariantText = (s: { key: string; name: string }) => `${s.key}: ${s.name}`;

export interface SegmentInput {
  key: string;
  name: string;
  trafficPercent: number;
  description: string;
}

/** What defines the test: changeable only before anything is built or served. */
export interface WebDefinition {
  hypothesis: string;
  targetType: WebTargetType;
  target: string;
  segments: SegmentInput[];
  primaryMetric: string;
  secondaryMetrics: string[];
}

/** Where the code lives and how to preview it: changeable until the experiment finishes. */
export interface WebDelivery {
  previewUrl?: string | null;
  repository?: string | null;
  baseBranch?: string | null;
}

/** Re-checks a definition (queues and other verbs call the services too); 400 with every problem. */
export function validateDefinition(d: WebDefinition): void {
  const issues: ErrorIssue[] = [];
  const text = (path: string, value: unknown, max: number, allowEmpty = false) => {
    if (typeof value !== "string") issues.push({ path, message: "must be a string" });
    else if (!allowEmpty && value.trim() === "") issues.push({ path, message: "must not be empty" });
    else if (value.length > max) issues.push({ path, message: `at most ${max} characters` });
    else if (CONTROL_CHARS.test(value.replace(/[\n\t]/g, " ")))
      issues.push({ path, message: "must not contain control characters" });
  };
  text("hypothesis", d.hypothesis, MAX_HYPOTHESIS);
  if (!WEB_TARGET_TYPES.includes(d.targetType)) {
    issues.push({ path: "target_type", message: `must be one of ${WEB_TARGET_TYPES.join(", ")}` });
  }
  text("target", d.target, MAX_TARGET);
  const segments = Array.isArray(d.segments) ? d.segments : [];
  if (segments.length < MIN_SEGMENTS || segments.length > MAX_SEGMENTS) {
    issues.push({
      path: "segments",
      message: `needs ${MIN_SEGMENTS} to ${MAX_SEGMENTS} segments (the first is the control), got ${segments.length}`,
    });
  }
  const seen = new Set<string>();
  let sum = 0;
  segments.forEach((s, i) => {
    const at = `segments.${i}`;
    if (typeof s.key !== "string" || !SLUG.test(s.key)) {
      issues.push({
        path: `${at}.key`,
        message:
          "must be a slug: lowercase letters, digits and '-', starting with a letter or digit, at most 63",
      });
    } else if (seen.has(s.key)) {
      issues.push({
        path: `${at}.key`,
        message: `'${s.key}' is used by another segment: keys must be unique`,
      });
    } else seen.add(s.key);
    text(`${at}.name`, s.name, MAX_NAME);
    if (typeof s.name === "string" && /[{}]/.test(s.name)) {
      issues.push({ path: `${at}.name`, message: "must not contain { or }" });
    }
    text(`${at}.description`, s.description, MAX_DESCRIPTION, true);
    const t = s.trafficPercent;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0 || t > 100) {
      issues.push({ path: `${at}.traffic_percent`, message: "must be between 0 and 100" });
    } else if (Math.abs(Math.round(t * 100) - t * 100) > 1e-6) {
      issues.push({ path: `${at}.traffic_percent`, message: "at most 2 decimals" });
    } else sum += t;
  });
  if (segments.length >= MIN_SEGMENTS && issues.every((x) => !x.path.endsWith("traffic_percent"))) {
    if (Math.abs(sum - 100) > SUM_TOLERANCE) {
      issues.push({
        path: "segments",
        message: `traffic_percent must add up to exactly 100, got ${Math.round(sum * 1000) / 1000}`,
      });
    } else if (segments[0] && segments[0].trafficPercent <= 0) {
      issues.push({ path: "segments.0.traffic_percent", message: "the control must get some traffic" });
    }
  }
  if (typeof d.primaryMetric !== "string" || !METRIC_NAME.test(d.primaryMetric)) {
    issues.push({ path: "primary_metric", message: metricMessage(d.primaryMetric) });
  }
  const secondary = Array.isArray(d.secondaryMetrics) ? d.secondaryMetrics : [];
  if (secondary.length > MAX_SECONDARY_METRICS) {
    issues.push({ path: "secondary_metrics", message: `at most ${MAX_SECONDARY_METRICS} metrics` });
  }
  const metrics = new Set<string>();
  secondary.forEach((m, i) => {
    if (typeof m !== "string" || !METRIC_NAME.test(m)) {
      issues.push({ path: `secondary_metrics.${i}`, message: metricMessage(m) });
    } else if (m === d.primaryMetric) {
      issues.push({ path: `secondary_metrics.${i}`, message: `'${m}' is the primary metric already` });
    } else if (metrics.has(m)) {
      issues.push({ path: `secondary_metrics.${i}`, message: `'${m}' is listed twice` });
    } else metrics.add(m);
  });
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
}

function metricMessage(value: unknown): string {
  const shown = typeof value === "string" ? `'${value.slice(0, 70)}' ` : "";
  return `${shown}is not a metric name: a lowercase letter, then lowercase letters, digits, _ . - (at most 64)`;
}

/** Checks the delivery fields that are present; 400 with every problem. */
export function validateDelivery(d: WebDelivery): void {
  const issues: ErrorIssue[] = [];
  if (d.previewUrl !== undefined && d.previewUrl !== null) {
    const problem = previewUrlProblem(d.previewUrl);
    if (problem) issues.push({ path: "preview_url", message: problem });
  }
  if (d.repository !== undefined && d.repository !== null && !REPOSITORY.test(d.repository)) {
    issues.push({ path: "repository", message: "must be 'owner/name'" });
  }
  if (d.baseBranch !== undefined && d.baseBranch !== null && !BRANCH.test(d.baseBranch)) {
    issues.push({ path: "base_branch", message: "is not a valid branch name" });
  }
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
}

function previewUrlProblem(value: string): string | null {
  if (value.length > 2_000) return "at most 2000 characters";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  if (url.hash) return "must not have a #fragment: previews add #seg-<segment key>";
  if (url.protocol === "https:") return null;
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol === "http:" && local) return null;
  return "must be https (or http://localhost while developing)";
}

/** Each segment's preview link: the SDK forces the segment named in `#seg-<key>` and records nothing. */
export function previewLinks(previewUrl: string | null, segments: { key: string }[]) {
  if (!previewUrl) return [];
  return segments.map((s) => ({ segment: s.key, url: `${previewUrl}#seg-${s.key}` }));
}

/** Each segment's share of traffic (0..1) keyed by its engine variant id: the allocation's weights. */
export function trafficWeights(
  segments: { variantId: string; trafficPercent: number }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of segments) out[s.variantId] = s.trafficPercent / 100;
  return out;
}
