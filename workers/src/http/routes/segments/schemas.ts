import { z } from "@hono/zod-openapi";
import { MAX_CONDITIONS, MAX_IN_VALUES, SEGMENT_OPERATORS } from "../../../services/segments/filter";
import type { Segment } from "../../../services/segments/lib";
import { STORABLE, storableText } from "../contacts/schemas";
import { iso, PathId } from "../push/shared";

export const SegmentIdParam = z.object({ segment_id: PathId("segment_id", "seg_0a1b2c3d4e5f60718293") });

const Value = z.union([z.string().max(500).refine(storableText, STORABLE), z.number(), z.boolean()]);

export const SegmentCondition = z
  .strictObject({
    field: z.string().max(80).openapi({
      description:
        "email, name, locale, time_zone, status, created_at, updated_at, or attributes.<key> (a-z 0-9 _)",
      example: "attributes.plan",
    }),
    op: z.enum(SEGMENT_OPERATORS),
    value: z
      .union([Value, z.array(Value).max(MAX_IN_VALUES)])
      .optional()
      .openapi({
        description:
          "One value (equals, not_equals, contains, starts_with, gt, gte, lt, lte: a number or a date for ranges), a list (in), [from, to] (between); none for exists and not_exists",
      }),
  })
  .openapi("SegmentCondition");

export const SegmentFilter = z
  .strictObject({
    match: z.enum(["all", "any"]).default("all"),
    conditions: z.array(SegmentCondition).min(1).max(MAX_CONDITIONS),
  })
  .openapi("SegmentFilter", {
    example: {
      match: "all",
      conditions: [
        { field: "attributes.plan", op: "in", value: ["pro", "team"] },
        { field: "created_at", op: "gte", value: "2026-11-01" },
      ],
    },
  });

export const SegmentName = z.string().trim().min(1).max(120).refine(storableText, STORABLE);

export const SegmentView = z
  .object({
    segment_id: z.string().openapi({ example: "seg_0a1b2c3d4e5f60718293" }),
    name: z.string(),
    filter: SegmentFilter,
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Segment");

export const segmentView = (s: Segment): z.infer<typeof SegmentView> => ({
  segment_id: s.id,
  name: s.name,
  filter: s.filter,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

export const segmentResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: SegmentView } },
});
