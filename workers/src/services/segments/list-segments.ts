import { listSegmentsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { newestFirstPage } from "../../infra/cursor";
import { type Segment, toSegment } from "./lib";

/** A page of the project's segments, newest first. */
export async function listSegments({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ segments: Segment[]; nextCursor: string | null }> {
  const page = await newestFirstPage(input, "seg", (q) => listSegmentsPage(ctx.db, projectId, q));
  return { segments: page.rows.map(toSegment), nextCursor: page.nextCursor };
}
