import { findSegment, type SegmentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import type { SegmentFilter } from "./filter";

/** A saved segment as verbs return it. */
export interface Segment {
  id: string;
  name: string;
  filter: SegmentFilter;
  createdAt: number;
  updatedAt: number;
}

export const toSegment = (row: SegmentRow): Segment => ({
  id: row.id,
  name: row.name,
  filter: row.filter as SegmentFilter,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export async function mustSegment(
  ctx: AppContext,
  projectId: string,
  segmentId: string,
): Promise<SegmentRow> {
  const row = await findSegment(ctx.db, projectId, segmentId);
  if (!row) throw new NotFoundError(`segment '${segmentId}' not found`);
  return row;
}
