import { z } from "@hono/zod-openapi";
import { ErrorEnvelope } from "../../schemas";

export const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

export const notConfigured = {
  503: error(
    "GitHub is not configured on this deployment (the message names the missing GITHUB_* variables), GitHub refused the App's key, or GitHub is unreachable",
  ),
} as const;

export const GitHubRepository = z
  .object({
    full_name: z.string().openapi({ example: "acme/shop" }),
    default_branch: z.string().openapi({ example: "main" }),
    private: z.boolean(),
  })
  .openapi("GitHubRepository");

export const GitHubConnection = z
  .object({
    connected: z.boolean(),
    installation_id: z.number().int().nullable(),
    account_login: z.string().nullable(),
    account_type: z.string().nullable().openapi({ description: "User or Organization" }),
    repository_selection: z.string().nullable().openapi({ description: "all or selected" }),
    state: z.enum(["active", "suspended", "removed"]).nullable(),
    connected_at: z.string().nullable(),
    repositories: z
      .array(GitHubRepository)
      .openapi({ description: "The first 100 the installation reaches" }),
    repositories_truncated: z.boolean(),
  })
  .openapi("GitHubConnection");
