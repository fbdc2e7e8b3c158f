import type { Config } from "../../env";
import {
  deploymentLimits,
  effectiveLimits,
  LIMIT_NAMES,
  type LimitName,
  type LimitTable,
  projectMaximum,
} from "../../ratelimit/rules";

/** A project's limits as the API shows them: what applies, what it set, and the bounds. */
export interface ProjectLimits {
  projectId: string;
  /** What applies now, every class and quota (`6000/minute`). */
  limits: Record<LimitName, string>;
  /** What the project set; the rest come from the deployment. */
  overrides: Partial<Record<LimitName, string>>;
  /** The deployment's values (`RATE_LIMIT_*`, else the built-in defaults). */
  defaults: Record<LimitName, string>;
  /** The most the project may set for each. */
  maximums: Record<LimitName, string>;
}

const texts = (table: LimitTable, pick: (name: LimitName) => string = (n) => table[n].text) =>
  Object.fromEntries(LIMIT_NAMES.map((n) => [n, pick(n)])) as Record<LimitName, string>;

/** Builds the view of a project's limits from its stored overrides. */
export function describeLimits(
  config: Config,
  projectId: string,
  overrides: Partial<Record<LimitName, string>> | null,
): ProjectLimits {
  const deployment = deploymentLimits(config.rateLimits);
  const effective = effectiveLimits(deployment, overrides);
  return {
    projectId,
    limits: texts(effective),
    overrides: Object.fromEntries(
      LIMIT_NAMES.flatMap((n) => (overrides?.[n] ? [[n, effective[n].text]] : [])),
    ),
    defaults: texts(deployment),
    maximums: texts(deployment, (n) => projectMaximum(n, deployment).text),
  };
}
