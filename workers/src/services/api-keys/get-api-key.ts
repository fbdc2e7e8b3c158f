import type { AppContext } from "../../context";
import { type ApiKey, mustKey, toApiKey } from "./lib/api-key";

/** One of the project's keys (never its secret). */
export async function getApiKey({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { keyId: string };
}): Promise<ApiKey> {
  return toApiKey(await mustKey(ctx, projectId, input.keyId), ctx.now());
}
