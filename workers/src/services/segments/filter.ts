import { contacts } from "@pushbunny/db";
import { and, or, type SQL, sql } from "drizzle-orm";
import { BadRequestError, type ErrorIssue } from "../../errors";
import { ATTRIBUTE_KEY } from "../contacts/lib/contact";

export const SEGMENT_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "starts_with",
  "in",
  "exists",
  "not_exists",
  "gt",
  "gte",
  "lt",
  "lte",
  "between",
] as const;
export type SegmentOperator = (typeof SEGMENT_OPERATORS)[number];

export type FilterValue = string | number | boolean;

/** One test on a field: `email`, `name`, `locale`, `time_zone`, `status`, `created_at`, `updated_at` or `attributes.<key>`. */
export interface SegmentCondition {
  field: string;
  op: SegmentOperator;
  /** equals, not_equals, contains, starts_with, gt…lte: one value; in: a list; between: [from, to]; exists: none. */
  value?: FilterValue | FilterValue[];
}

export interface SegmentFilter {
  match: "all" | "any";
  conditions: SegmentCondition[];
}

export const MAX_CONDITIONS = 20;
export const MAX_IN_VALUES = 100;

const TEXT_FIELDS = {
  email: contacts.email,
  name: contacts.name,
  locale: contacts.locale,
  time_zone: contacts.timeZone,
  status: contacts.status,
} as const;
const TIME_FIELDS = { created_at: contacts.createdAt, updated_at: contacts.updatedAt } as const;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

type Field =
  | { kind: "text"; expr: SQL }
  | { kind: "time"; expr: SQL }
  | { kind: "attribute"; expr: SQL; path: string };

// Field names come from a closed list or the attribute-key pattern, and each becomes a column
// object or a JSON path passed as a bound parameter: no text from the request is ever SQL.
function fieldOf(name: string): Field | null {
  if (Object.hasOwn(TEXT_FIELDS, name))
    return { kind: "text", expr: sql`${TEXT_FIELDS[name as keyof typeof TEXT_FIELDS]}` };
  if (Object.hasOwn(TIME_FIELDS, name))
    return { kind: "time", expr: sql`${TIME_FIELDS[name as keyof typeof TIME_FIELDS]}` };
  const key = name.startsWith("attributes.") ? name.slice("attributes.".length) : null;
  if (key !== null && ATTRIBUTE_KEY.test(key)) {
    const path = `$.${key}`;
    return { kind: "attribute", expr: sql`json_extract(${contacts.attributes}, ${path})`, path };
  }
  return null;
}

const bindable = (v: FilterValue) => (typeof v === "boolean" ? (v ? 1 : 0) : v);

class Problems {
  readonly issues: ErrorIssue[] = [];
  add(path: string, message: string): null {
    this.issues.push({ path, message });
    return null;
  }
}

function scalar(c: SegmentCondition, at: string, p: Problems): FilterValue | null {
  const v = c.value;
  if (v === undefined || Array.isArray(v)) return p.add(`${at}.value`, `${c.op} takes one value`);
  if (typeof v === "string" && v.length > 500) return p.add(`${at}.value`, "at most 500 characters");
  if (typeof v === "number" && !Number.isFinite(v)) return p.add(`${at}.value`, "a finite number");
  return v;
}

/** A bound for a range test: milliseconds for time fields; a number or a date for attributes. */
function bound(field: Field, v: FilterValue, at: string, p: Problems): SQL | null {
  if (field.kind === "time") {
    const ms = typeof v === "number" ? v : typeof v === "string" && DATE.test(v) ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms))
      return p.add(at, "a date (2026-12-06 or an ISO date-time) or Unix milliseconds");
    return sql`${ms}`;
  }
  if (field.kind === "attribute") {
    if (typeof v === "number") return sql`${v}`;
    if (typeof v === "string" && DATE.test(v)) return sql`julianday(${v})`;
    return p.add(at, "a number or a date (2026-12-06 or an ISO date-time)");
  }
  return p.add(at, "ranges apply to created_at, updated_at and attributes");
}

/** The left side of a range test, in the same kind of value as `bound` made. */
function rangeSide(field: Field, v: FilterValue): SQL {
  if (field.kind !== "attribute") return field.expr;
  if (typeof v === "number") {
    // Imported attributes are text: compare numerically only text that is a number.
    return sql`(CASE WHEN json_type(${contacts.attributes}, ${field.path}) IN ('integer', 'real') THEN ${field.expr}
      WHEN json_type(${contacts.attributes}, ${field.path}) = 'text' AND trim(${field.expr}) GLOB '*[0-9]*'
        AND trim(${field.expr}) NOT GLOB '*[^0-9.eE+-]*' THEN CAST(trim(${field.expr}) AS REAL) END)`;
  }
  return sql`julianday(${field.expr})`;
}

function equals(field: Field, v: FilterValue): SQL {
  if (field.kind === "time")
    return sql`${field.expr} = ${typeof v === "string" ? Date.parse(v) : bindable(v)}`;
  // "42" from a file equals 42 from a filter: compare with the value and its text.
  if (typeof v === "string") return sql`${field.expr} = ${v}`;
  return sql`(${field.expr} = ${bindable(v)} OR ${field.expr} = ${String(v)})`;
}

function exists(field: Field): SQL {
  if (field.kind === "attribute") return sql`json_type(${contacts.attributes}, ${field.path}) IS NOT NULL`;
  return sql`(${field.expr} IS NOT NULL AND ${field.expr} != '')`;
}

function compileCondition(c: SegmentCondition, at: string, p: Problems): SQL | null {
  const field = typeof c.field === "string" ? fieldOf(c.field) : null;
  if (!field)
    return p.add(
      `${at}.field`,
      "one of email, name, locale, time_zone, status, created_at, updated_at, or attributes.<key> (a-z 0-9 _)",
    );
  switch (c.op) {
    case "exists":
      return exists(field);
    case "not_exists":
      return sql`NOT ${exists(field)}`;
    case "equals":
    case "not_equals": {
      const v = scalar(c, at, p);
      if (v === null) return null;
      // The pattern lets 2026-13-01 through; Date.parse does not.
      if (field.kind === "time" && typeof v === "string" && !(DATE.test(v) && Number.isFinite(Date.parse(v))))
        return p.add(`${at}.value`, "a date or Unix milliseconds");
      const test = equals(field, v);
      return c.op === "equals" ? test : sql`NOT coalesce(${test}, 0)`;
    }
    case "contains":
    case "starts_with": {
      const v = scalar(c, at, p);
      if (v === null) return null;
      if (typeof v !== "string" || v === "") return p.add(`${at}.value`, `${c.op} takes a non-empty string`);
      if (field.kind === "time") return p.add(`${at}.field`, `${c.op} applies to text fields and attributes`);
      const text = sql`lower(CAST(${field.expr} AS TEXT))`;
      // instr/substr, not LIKE: the value's % and _ are plain characters.
      return c.op === "contains"
        ? sql`instr(${text}, lower(${v})) > 0`
        : sql`substr(${text}, 1, length(${v})) = lower(${v})`;
    }
    case "in": {
      const list = c.value;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_IN_VALUES)
        return p.add(`${at}.value`, `in takes a list of 1 to ${MAX_IN_VALUES} values`);
      if (!list.every((v) => ["string", "number", "boolean"].includes(typeof v)))
        return p.add(`${at}.value`, "values are strings, numbers or booleans");
      const values =
        field.kind === "time"
          ? list
          : [...list.map(bindable), ...list.filter((v) => typeof v !== "string").map(String)];
      return sql`${field.expr} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const v = scalar(c, at, p);
      if (v === null) return null;
      const b = bound(field, v, `${at}.value`, p);
      if (!b) return null;
      const left = rangeSide(field, v);
      const op = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[c.op];
      return sql`${left} ${op} ${b}`;
    }
    case "between": {
      const pair = c.value;
      if (!Array.isArray(pair) || pair.length !== 2) return p.add(`${at}.value`, "between takes [from, to]");
      const [from, to] = pair as [FilterValue, FilterValue];
      if (typeof from !== typeof to)
        return p.add(`${at}.value`, "from and to are both numbers or both dates");
      const lo = bound(field, from, `${at}.value.0`, p);
      const hi = bound(field, to, `${at}.value.1`, p);
      if (!lo || !hi) return null;
      return sql`${rangeSide(field, from)} BETWEEN ${lo} AND ${hi}`;
    }
    default:
      return p.add(`${at}.op`, `one of ${SEGMENT_OPERATORS.join(", ")}`);
  }
}

/**
 * Compiles a filter to a WHERE fragment over `contacts`, every value a bound parameter; throws a
 * 400 listing each problem. Callers add the project scope.
 */
export function compileSegmentFilter(filter: SegmentFilter, base = "filter"): SQL {
  const p = new Problems();
  if (filter.match !== "all" && filter.match !== "any") p.add(`${base}.match`, "all or any");
  if (
    !Array.isArray(filter.conditions) ||
    filter.conditions.length === 0 ||
    filter.conditions.length > MAX_CONDITIONS
  ) {
    p.add(`${base}.conditions`, `1 to ${MAX_CONDITIONS} conditions`);
    throw BadRequestError.fromIssues(p.issues);
  }
  const parts = filter.conditions.map((c, i) => compileCondition(c, `${base}.conditions.${i}`, p));
  if (p.issues.length > 0) throw BadRequestError.fromIssues(p.issues);
  const ok = parts.filter((s): s is SQL => s !== null);
  const combined = filter.match === "any" ? or(...ok) : and(...ok);
  return combined ? sql`(${combined})` : sql`1`;
}
