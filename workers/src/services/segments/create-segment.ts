import { newId } from "@pushbunny/core";
import { insertSegment } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { compileSegmentFilter, type SegmentFilter } from "./filter";
import { type Segment, toSegment } from "./lib";

/** Saves a filter over the project's contacts (checked by compiling it). */
export async function createSegment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { name: string; filter: SegmentFilter };
}): Promise<Segment> {
  compileSegmentFilter(input.filter);
  const now = ctx.now();
  const row = {
    id: newId("seg"),
    projectId,
    name: input.name,
    filter: input.filter,
    createdAt: now,
    updatedAt: now,
  };
  await insertSegment(ctx.db, row);
  return toSegment(row);
}
