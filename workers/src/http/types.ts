import type { OpenAPIHono } from "@hono/zod-openapi";
import type { KeyOwner } from "@pushbunny/db";
import type { Role } from "../access/levels";
import type { Principal } from "../access/principal";
import type { AppContext } from "../context";
import type { Env } from "../env";
import type { OperationAccess } from "./middleware/auth";

/** Request-scoped values every handler can read. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    ctx: AppContext;
    /** The project the request acts on (the key's, or the one a person's session named). */
    owner: KeyOwner;
    /** Who is calling, for history entries: `api_key:<first 12 characters>…` or `user:<id>`. */
    actor: string;
    principal: Principal;
    /** The person's role in `owner`'s project; unset for API keys. */
    role: Role;
    /** The matched operation's declaration (access level, public); unset for unknown routes. */
    operation: OperationAccess | undefined;
  };
}

export type App = OpenAPIHono<AppEnv>;
