import type { Role } from "../access/levels";
import type { AppEnv } from "../http/types";
import type { DashSession } from "./session";

/** The project a page acts on, after the membership check. */
export interface DashProject {
  projectId: string;
  role: Role;
}

/** The app's request context plus what the dashboard's middleware establishes. */
export interface DashEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    session: DashSession | null;
    project: DashProject;
  };
}
