import { z } from "@hono/zod-openapi";
import { BadRequestError } from "../../../errors";

const DAY_MS = 86_400_000;

export const RangeQuery = z.object({ date_from: z.iso.date().optional(), date_to: z.iso.date().optional() });

/** A date range in UTC days, both ends included; 30 days to today by default. */
export function range(now: number, from?: string, to?: string) {
  const toMs = to ? Date.parse(`${to}T00:00:00Z`) + DAY_MS - 1 : now;
  const fromMs = from ? Date.parse(`${from}T00:00:00Z`) : toMs - 30 * DAY_MS + 1;
  if (fromMs > toMs)
    throw new BadRequestError("date_from must not be after date_to", [
      { path: "date_from", message: "after date_to" },
    ]);
  if (toMs - fromMs > 366 * DAY_MS)
    throw new BadRequestError("at most 366 days at a time", [
      { path: "date_from", message: "range too long" },
    ]);
  return { fromMs, toMs };
}
