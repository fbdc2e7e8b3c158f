import type { Context } from "hono";
import type { Principal } from "../../../access/principal";
import { ForbiddenError } from "../../../errors";
import { type Caller, callerOf } from "../../../services/projects/rules";
import type { AppEnv } from "../../types";

/** The person behind a "session" route (the middleware already refused API keys there). */
export function userOf(principal: Principal): Extract<Principal, { kind: "user" }> {
  if (principal.kind !== "user") {
    throw new ForbiddenError(
      "this route needs a person's access token (POST /v1/auth/login), not an API key",
    );
  }
  return principal;
}

/** Who is acting on the project the path names, with the role or scopes the middleware found. */
export const callerFrom = (c: Context<AppEnv>): Caller =>
  callerOf(c.get("principal"), c.get("role"), c.get("actor"));
