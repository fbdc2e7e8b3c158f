/** Lower-case words of a name in any convention: "PricingTable", "pricing-table", "pricing_table". */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "")
    .map((word) => word.toLowerCase());
}

/** The words of a name run together, to compare names across conventions. */
export function nameKey(name: string): string {
  return splitWords(name).join("");
}
