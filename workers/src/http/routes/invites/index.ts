import type { App } from "../../types";
import { registerAcceptInvite } from "./accept-invite";

/** /v1/invites: what an invited person does (the project's side lives under /v1/projects). */
export function registerInviteRoutes(app: App) {
  registerAcceptInvite(app);
}
