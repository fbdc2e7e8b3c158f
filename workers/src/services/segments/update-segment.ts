import { updateSegmentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { compileSegmentFilter, type SegmentFilter } from "./filter";
import { type Segment, toSegment } from "./lib";

/** Renames a segment or replaces its filter. */
export async function updateSegment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { segmentId: string; name?: string; filter?: SegmentFilter };
}): Promise<Segment> {
  if (input.filter) compileSegmentFilter(input.filter);
  const row = await updateSegmentRow(ctx.db, projectId, input.segmentId, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.filter !== undefined ? { filter: input.filter } : {}),
    updatedAt: ctx.now(),
  });
  if (!row) throw new NotFoundError(`segment '${input.segmentId}' not found`);
  return toSegment(row);
}
