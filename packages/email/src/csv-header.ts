/** Where a contact field comes from in the file. */
export type ColumnTarget = "email" | "name" | "locale" | "time_zone" | "attribute" | "ignore";

/** How the file's columns map to contact fields; built from the header row. */
export interface HeaderMapping {
  header: string[];
  email: number;
  name?: number;
  locale?: number;
  timeZone?: number;
  /** Every other column, under an attribute key derived from its header. */
  attributes: { column: number; key: string }[];
}

const ALIASES: Record<Exclude<ColumnTarget, "attribute" | "ignore">, string[]> = {
  email: ["email", "e-mail", "email address", "e-mail address", "email_address", "mail"],
  name: ["name", "full name", "full_name", "fullname", "contact name"],
  locale: ["locale", "language", "lang"],
  time_zone: ["time_zone", "timezone", "time zone", "tz"],
};

function headerKey(text: string): string {
  return text.normalize("NFC").trim().toLowerCase().replace(/\s+/g, " ");
}

// Attribute keys become template names ({{attributes.first_name}}): lowercase letters, digits and
// underscores only.
function attributeKey(text: string, column: number, taken: Set<string>): string {
  const base =
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 64) || `column_${column + 1}`;
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
  taken.add(key);
  return key;
}

/**
 * Maps a header row. `columns` overrides by header text (e.g. `{ "Work mail": "email" }`); other
 * columns are recognised by common names, and the rest become attributes.
 */
export function mapHeader(
  header: string[],
  columns: Record<string, ColumnTarget> = {},
): { ok: true; mapping: HeaderMapping } | { ok: false; message: string } {
  const overrides = new Map(Object.entries(columns).map(([name, target]) => [headerKey(name), target]));
  const targets = header.map((cell): ColumnTarget => {
    const key = headerKey(cell);
    const override = overrides.get(key);
    if (override) return override;
    for (const [target, names] of Object.entries(ALIASES))
      if (names.includes(key)) return target as ColumnTarget;
    return "attribute";
  });
  const single = (target: ColumnTarget): number | undefined | "many" => {
    const found = targets.flatMap((t, i) => (t === target ? [i] : []));
    return found.length > 1 ? "many" : found[0];
  };
  const email = single("email");
  if (email === undefined)
    return { ok: false, message: "no email column (name one of: email, e-mail, email address)" };
  const mapping: HeaderMapping = { header, email: 0, attributes: [] };
  for (const [target, field] of [
    ["email", "email"],
    ["name", "name"],
    ["locale", "locale"],
    ["time_zone", "timeZone"],
  ] as const) {
    const index = single(target);
    if (index === "many") return { ok: false, message: `more than one ${target} column` };
    if (index !== undefined) mapping[field] = index;
  }
  const taken = new Set<string>();
  targets.forEach((target, column) => {
    if (target === "attribute")
      mapping.attributes.push({ column, key: attributeKey(header[column] ?? "", column, taken) });
  });
  return { ok: true, mapping };
}
