import { deleteSegmentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** Deletes a segment (its contacts stay). */
export async function deleteSegment({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { segmentId: string };
}): Promise<void> {
  if (!(await deleteSegmentRow(ctx.db, projectId, input.segmentId)))
    throw new NotFoundError(`segment '${input.segmentId}' not found`);
}
