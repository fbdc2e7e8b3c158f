import type { App } from "../../types";
import { registerAuthorizeGitHub } from "./authorize";
import { registerDisconnectGitHub } from "./disconnect";
import { registerGetGitHubConnection } from "./get-connection";
import { registerGitHubSetup } from "./setup";
import { registerGitHubWebhook } from "./webhook";

/** /v1/github (the project's connection) and GitHub's own calls: the setup redirect and the webhook. */
export function registerGitHubRoutes(app: App) {
  registerAuthorizeGitHub(app);
  registerGetGitHubConnection(app);
  registerDisconnectGitHub(app);
  registerGitHubSetup(app);
  registerGitHubWebhook(app);
}
