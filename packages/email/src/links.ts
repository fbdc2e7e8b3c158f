/** One `href` found in an HTML part. */
export interface HtmlLink {
  /** The attribute value as written (entities not decoded). */
  raw: string;
  /** The attribute value with HTML character references decoded: the URL a client follows. */
  href: string;
  /** Index of the first character of the attribute value in the HTML. */
  start: number;
  /** Index just past the attribute value. */
  end: number;
}

// Links are found with a scanner rather than a DOM: packages/ run in plain Node and in workerd,
// neither of which has a DOM parser, and email HTML only needs `href` on <a> and <area>.
const ANCHOR = /<(?:a|area)\b[^>]*>/gi;
const HREF = /(\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes the HTML character references that appear in URLs (named basics and numeric). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code =
        ref[1] === "x" || ref[1] === "X"
          ? Number.parseInt(ref.slice(2), 16)
          : Number.parseInt(ref.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** Every `href` of an <a> or <area> tag, in document order. */
export function findLinks(html: string): HtmlLink[] {
  const links: HtmlLink[] = [];
  for (const tag of html.matchAll(ANCHOR)) {
    const attr = HREF.exec(tag[0]);
    if (!attr) continue;
    const raw = attr[2] ?? attr[3] ?? attr[4] ?? "";
    const valueOffset =
      attr[0].length - raw.length - (attr[2] !== undefined || attr[3] !== undefined ? 1 : 0);
    const start = (tag.index ?? 0) + attr.index + valueOffset;
    links.push({ raw, href: decodeEntities(raw).trim(), start, end: start + raw.length });
  }
  return links;
}

/** Escapes text for an HTML attribute value in double quotes. */
export function escapeAttribute(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}
