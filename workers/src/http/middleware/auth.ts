import { createMiddleware } from "hono/factory";
import { UnauthorizedError } from "../../errors";
import { authenticate } from "../../infra/api-keys";
import type { AppEnv } from "../types";

/** Resolves `Authorization: Bearer <key>` to the project; 401 envelope otherwise. */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization")?.trim();
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (header && !match) {
    // The commonest integration slip: the bare key, or "Token …"/"Basic …".
    throw new UnauthorizedError(
      /^Bearer$/i.test(header)
        ? "the Authorization header says Bearer but carries no key: send 'Authorization: Bearer <api key>'"
        : "the Authorization header must use the Bearer scheme: send 'Authorization: Bearer <api key>'",
    );
  }
  const apiKey = match?.[1];
  c.set("owner", await authenticate(c.get("ctx"), apiKey));
  // History records which key made a change; the prefix identifies it without revealing it.
  c.set("actor", `api_key:${(apiKey ?? "").slice(0, 12)}…`);
  await next();
});
