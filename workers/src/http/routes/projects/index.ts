import type { App } from "../../types";
import { registerInviteRoutes } from "../invites";
import { registerCreateProject } from "./create-project";
import { registerDeleteProject } from "./delete-project";
import { registerGetProject } from "./get-project";
import { registerCreateInvite } from "./invites/create-invite";
import { registerListInvites } from "./invites/list-invites";
import { registerRevokeInvite } from "./invites/revoke-invite";
import { registerListProjects } from "./list-projects";
import { registerListMembers } from "./members/list-members";
import { registerRemoveMember } from "./members/remove-member";
import { registerUpdateMember } from "./members/update-member";
import { registerUpdateProject } from "./update-project";

/** Every /v1/projects route: projects, members, invites (and accepting one, /v1/invites). */
export function registerProjectRoutes(app: App) {
  registerCreateProject(app);
  registerListProjects(app);
  registerGetProject(app);
  registerUpdateProject(app);
  registerDeleteProject(app);
  registerListMembers(app);
  registerUpdateMember(app);
  registerRemoveMember(app);
  registerCreateInvite(app);
  registerListInvites(app);
  registerRevokeInvite(app);
  registerInviteRoutes(app);
}
