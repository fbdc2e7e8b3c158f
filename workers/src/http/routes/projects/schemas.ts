import { z } from "@hono/zod-openapi";
import { ROLES } from "../../../access/levels";
import type { Invite } from "../../../services/projects/invites/invite";
import type { Member } from "../../../services/projects/members/member";
import {
  CHALLENGER_COUNT,
  PAGE_LIMIT,
  PROJECT_NAME_MAX,
  type Project,
} from "../../../services/projects/rules";
import { isWellFormed, WELL_FORMED } from "../../schemas";
import { iso, PathId } from "../push/shared";

// OpenAPI pieces the project, member and invite routes share, and their wire views.

export const ProjectIdParam = z.object({ project_id: PathId("project_id", "prj_0a1b2c3d4e5f60718293") });
export const MemberParams = ProjectIdParam.extend({ user_id: PathId("user_id", "usr_0a1b2c3d4e5f60718293") });
export const InviteParams = ProjectIdParam.extend({
  invite_id: PathId("invite_id", "inv_0a1b2c3d4e5f60718293"),
});

export const RoleName = z.enum(ROLES).openapi({ example: "member" });

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const ProjectName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(PROJECT_NAME_MAX)
  .refine((v) => !CONTROL_CHARS.test(v), "must not contain control characters")
  .refine(isWellFormed, WELL_FORMED)
  .openapi({ example: "Acme web app" });

export const ChallengerCount = z
  .number()
  .int()
  .min(CHALLENGER_COUNT.min)
  .max(CHALLENGER_COUNT.max)
  .openapi({ description: "How many LLM challengers a new experiment gets", example: 3 });

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(PAGE_LIMIT.min)
    .max(PAGE_LIMIT.max)
    .default(PAGE_LIMIT.default)
    .openapi({ example: PAGE_LIMIT.default }),
  cursor: z.string().max(200).optional().openapi({
    description: "`next_cursor` of the previous page; anything else is a 400",
    example: "WzE3OTY1NDc2MDAwMDAsInByal8wYTFiIl0",
  }),
});

const NextCursor = z.string().nullable().openapi({ description: "null on the last page", example: null });

export const ProjectView = z
  .object({
    project_id: z.string().openapi({ example: "prj_0a1b2c3d4e5f60718293" }),
    name: z.string(),
    default_locale: z.string().openapi({ example: "en-US" }),
    challenger_count: z.number().int(),
    metrics_require_key: z
      .boolean()
      .openapi({ description: "POST /v1/metrics refuses requests without this project's API key" }),
    time_zone: z.string().openapi({
      description: 'IANA zone of campaigns scheduled with `time_zone: "project"`',
      example: "UTC",
    }),
    role: RoleName.nullable().openapi({ description: "Your role in the project; null for API keys" }),
    created_by: z.string().nullable().openapi({ example: "user:usr_0a1b2c3d4e5f60718293" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Project");

export function projectView(p: Project): z.infer<typeof ProjectView> {
  return {
    project_id: p.id,
    name: p.name,
    default_locale: p.defaultLocale,
    challenger_count: p.challengerCount,
    metrics_require_key: p.metricsRequireKey,
    time_zone: p.timeZone,
    role: p.role,
    created_by: p.createdBy,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export const ProjectList = z
  .object({ projects: z.array(ProjectView), next_cursor: NextCursor })
  .openapi("ProjectList");

export const projectResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ProjectView } },
});

export const MemberView = z
  .object({
    user_id: z.string().openapi({ example: "usr_0a1b2c3d4e5f60718293" }),
    email: z.string().openapi({ example: "ada@example.com" }),
    name: z.string(),
    role: RoleName,
    joined_at: z.string(),
  })
  .openapi("Member");

export const memberView = (m: Member): z.infer<typeof MemberView> => ({
  user_id: m.userId,
  email: m.email,
  name: m.name,
  role: m.role,
  joined_at: iso(m.joinedAt),
});

export const InviteView = z
  .object({
    invite_id: z.string().openapi({ example: "inv_0a1b2c3d4e5f60718293" }),
    email: z.string().openapi({ example: "grace@example.com" }),
    role: RoleName,
    invited_by: z.string().openapi({ example: "user:usr_0a1b2c3d4e5f60718293" }),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .openapi("Invite");

export const inviteView = (i: Invite): z.infer<typeof InviteView> => ({
  invite_id: i.id,
  email: i.email,
  role: i.role,
  invited_by: i.invitedBy,
  created_at: iso(i.createdAt),
  expires_at: iso(i.expiresAt),
});

export const InviteList = z
  .object({ invites: z.array(InviteView), next_cursor: NextCursor })
  .openapi("InviteList");
