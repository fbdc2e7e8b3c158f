import { createMiddleware } from "hono/factory";
import { authenticate } from "../../services/auth";
import type { AppEnv } from "../types";

/** Resolves `Authorization: Bearer <key>` to the project; 401 envelope otherwise. */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const apiKey = match?.[1];
  c.set("owner", await authenticate(c.get("ctx"), apiKey));
  // History records which key made a change; the prefix identifies it without revealing it.
  c.set("actor", `api_key:${(apiKey ?? "").slice(0, 12)}…`);
  await next();
});
