import { z } from "@hono/zod-openapi";
import { LIMIT_FORM, LIMIT_NAMES, type LimitName } from "../../../ratelimit/rules";
import type { ProjectLimits } from "../../../services/limits/limits";

// The wire form of a project's limits: every class and quota by name, each `N/unit`.

const EXAMPLES: Record<LimitName, string> = {
  message: "60000/minute",
  events: "30000/minute",
  subscription: "30000/minute",
  notification: "1000/hour",
  analytics: "1200/minute",
  management: "600/minute",
  auth: "1000/hour",
  generation: "100/hour",
  analysis: "60/hour",
};

const byName = <T extends z.ZodType>(field: (name: LimitName) => T) =>
  Object.fromEntries(LIMIT_NAMES.map((n) => [n, field(n)])) as Record<LimitName, T>;

const LimitText = (name: LimitName) => z.string().openapi({ example: EXAMPLES[name] });

export const LimitsTable = z.object(byName(LimitText)).openapi("LimitsTable");

export const LimitsView = z
  .object({
    project_id: z.string().openapi({ example: "prj_0a1b2c3d4e5f60718293" }),
    limits: LimitsTable.openapi({ description: "What applies now" }),
    overrides: z
      .object(byName((n) => LimitText(n).optional()))
      .openapi({ description: "What the project set; the others come from `defaults`", example: {} }),
    defaults: LimitsTable.openapi({ description: "The deployment's values (RATE_LIMIT_*, else built in)" }),
    maximums: LimitsTable.openapi({ description: "The most the project may set for each" }),
  })
  .openapi("ProjectLimits");

/** The PUT body: every name optional; null or left out means the deployment's value. */
export const LimitsUpdate = z
  .strictObject(
    byName((n) =>
      z
        .string()
        .max(40)
        .nullable()
        .optional()
        .openapi({ example: EXAMPLES[n], description: `${LIMIT_FORM}; null: the default` }),
    ),
  )
  .openapi("ProjectLimitsUpdate");

export const toLimitsView = (l: ProjectLimits): z.infer<typeof LimitsView> => ({
  project_id: l.projectId,
  limits: l.limits,
  overrides: l.overrides,
  defaults: l.defaults,
  maximums: l.maximums,
});
