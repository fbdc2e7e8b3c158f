import type { OpenAPIHono } from "@hono/zod-openapi";
import type { KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../context";
import type { Env } from "../env";

/** Request-scoped values every handler can read. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    ctx: AppContext;
    owner: KeyOwner;
    /** Who is calling, for history entries: `api_key:<first 12 characters>…`, never the whole key. */
    actor: string;
  };
}

export type App = OpenAPIHono<AppEnv>;
