import { newId } from "@pushbunny/core";
import { createMiddleware } from "hono/factory";
import { buildContext } from "../../infra/build-context";
import type { AppEnv } from "../types";

const CLIENT_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Assigns the request id (the client's X-Request-Id when sane), builds the verb context, logs. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const requestId = given && CLIENT_ID.test(given) ? given : newId("req");
  c.set("requestId", requestId);
  c.set(
    "ctx",
    buildContext(c.env, (p) => c.executionCtx.waitUntil(p), { requestId }),
  );
  const started = Date.now();
  await next();
  c.header("X-Request-Id", requestId);
  const status = c.res.status;
  const fields = { method: c.req.method, path: c.req.path, status, ms: Date.now() - started };
  const log = c.get("ctx").logger;
  if (status >= 500) log.error("request", fields);
  else if (status >= 400) log.info("request", fields);
  else log.debug("request", fields);
});
