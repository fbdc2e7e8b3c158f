import { createMiddleware } from "hono/factory";
import { authenticate } from "../../services/auth";
import type { AppEnv } from "../types";

/** Resolves `Authorization: Bearer <key>` to the project; 401 envelope otherwise. */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  c.set("owner", await authenticate(c.get("ctx"), match?.[1]));
  await next();
});
