import { deleteGithubInstallation, findGithubInstallation } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";

/**
 * Forgets the project's installation. The App stays installed on GitHub (only the account's owner
 * can uninstall it there); PushBunny simply stops using it for this project.
 */
export async function disconnectGitHub({
  ctx,
  projectId,
  actor,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
}): Promise<{ installationId: number; accountLogin: string }> {
  const installation = await findGithubInstallation(ctx.db, projectId);
  if (!installation || !(await deleteGithubInstallation(ctx.db, projectId))) {
    throw new NotFoundError("this project is not connected to GitHub");
  }
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "github.disconnected",
      targetType: "github_installation",
      targetId: String(installation.installationId),
      details: { account: installation.accountLogin },
    },
  });
  return { installationId: installation.installationId, accountLogin: installation.accountLogin };
}
