// Reads /v1/openapi.json into a list of operations the fuzz and security tests walk, so a route
// is covered the day it is declared.
import { exports } from "cloudflare:workers";

export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path template, e.g. /v1/experiments/{experiment_id}. */
  path: string;
  operationId: string;
  pathParams: string[];
  queryParams: string[];
  /** Top-level property names of a JSON object body, [] when the body is not an object. */
  bodyFields: string[];
  hasBody: boolean;
  /** True when the body is required (an optional one is left out by the security walk). */
  bodyRequired: boolean;
  /** True when the operation declares `security: []` (no credentials). */
  public: boolean;
}

type Schema = {
  $ref?: string;
  properties?: Record<string, unknown>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Spec = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, Schema> };
  security?: unknown[];
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function fieldsOf(spec: Spec, schema: Schema | undefined, seen = new Set<string>()): string[] {
  if (!schema) return [];
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    if (seen.has(name)) return [];
    seen.add(name);
    return fieldsOf(spec, spec.components?.schemas?.[name], seen);
  }
  const own = Object.keys(schema.properties ?? {});
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap((s) =>
    fieldsOf(spec, s, seen),
  );
  return [...new Set([...own, ...nested])];
}

/** Every operation in the served OpenAPI document. */
export async function loadOperations(): Promise<{ spec: Spec; operations: Operation[] }> {
  const res = await exports.default.fetch("http://pushbunny.test/v1/openapi.json");
  const spec = (await res.json()) as Spec;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        | {
            operationId?: string;
            parameters?: { name: string; in: string }[];
            requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
            security?: unknown[];
          }
        | undefined;
      if (!op) continue;
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      operations.push({
        method,
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        bodyFields: fieldsOf(spec, bodySchema),
        hasBody: op.requestBody !== undefined,
        bodyRequired: op.requestBody?.required === true,
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return { spec, operations };
}

/**
 * Percent-encodes like encodeURIComponent, but a lone surrogate (which that throws on) becomes
 * its three WTF-8 bytes, as an attacker's raw request would carry it.
 */
export function encodeHostile(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** The path with each `{param}` replaced (values are percent-encoded here). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeHostile(values[name] ?? "unknown"));
}
