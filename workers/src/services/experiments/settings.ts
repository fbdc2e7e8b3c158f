import {
  GOAL_METRICS,
  type GoalMetric,
  ON_WINNER,
  type OnWinner,
  STRATEGIES,
  type Strategy,
} from "@pushbunny/db";
import { BadRequestError, type ErrorIssue } from "../../errors";

export interface ExperimentSettings {
  strategy?: Strategy;
  goalMetric?: GoalMetric;
  holdoutShare?: number;
  minSample?: number;
  trafficFloor?: number;
  retireBelow?: number;
  onWinner?: OnWinner;
  challengerCount?: number;
}

/** Bounds of each numeric setting; the HTTP schema and the verb both enforce them. */
export const SETTING_LIMITS = {
  holdoutShare: { min: 0, max: 0.5, integer: false },
  minSample: { min: 10, max: 1_000_000, integer: true },
  trafficFloor: { min: 0, max: 0.2, integer: false },
  retireBelow: { min: 0, max: 0.2, integer: false },
  challengerCount: { min: 0, max: 10, integer: true },
} as const;

const ENUM_SETTINGS = {
  strategy: STRATEGIES,
  goalMetric: GOAL_METRICS,
  onWinner: ON_WINNER,
} as const;

/** The wire name of each setting: error paths and history details name fields as clients send them. */
export const SETTING_COLUMNS: Record<keyof ExperimentSettings, string> = {
  strategy: "strategy",
  goalMetric: "goal_metric",
  holdoutShare: "holdout_share",
  minSample: "min_sample",
  trafficFloor: "traffic_floor",
  retireBelow: "retire_below",
  onWinner: "on_winner",
  challengerCount: "challenger_count",
};

/**
 * Re-checks settings (queues and crons call verbs too): each value in range, and a traffic
 * floor the arms can all receive (floor × arms < 1; at 1 the floors alone take all traffic).
 */
export function validateSettings(settings: ExperimentSettings, armCount: number): void {
  const issues: ErrorIssue[] = [];
  for (const [key, limit] of Object.entries(SETTING_LIMITS) as [
    keyof typeof SETTING_LIMITS,
    (typeof SETTING_LIMITS)[keyof typeof SETTING_LIMITS],
  ][]) {
    const value = settings[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < limit.min || value > limit.max) {
      issues.push({ path: SETTING_COLUMNS[key], message: `must be between ${limit.min} and ${limit.max}` });
    } else if (limit.integer && !Number.isInteger(value)) {
      issues.push({ path: SETTING_COLUMNS[key], message: "must be an integer" });
    }
  }
  for (const [key, allowed] of Object.entries(ENUM_SETTINGS) as [
    keyof typeof ENUM_SETTINGS,
    readonly string[],
  ][]) {
    const value = settings[key];
    if (value !== undefined && !allowed.includes(value)) {
      issues.push({ path: SETTING_COLUMNS[key], message: `must be one of ${allowed.join(", ")}` });
    }
  }
  const floor = settings.trafficFloor;
  if (issues.length === 0 && floor !== undefined && armCount > 1 && floor * armCount >= 1) {
    issues.push({
      path: "traffic_floor",
      message: `${floor} × ${armCount} arms leaves no traffic to allocate; use less than ${(1 / armCount).toFixed(4)}`,
    });
  }
  if (issues.length > 0) throw BadRequestError.fromIssues(issues);
}
