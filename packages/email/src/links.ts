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
// neither of which has a DOM parser, and email HTML only needs `href` on <a> and <area>. The
// scanner reads attributes the way a browser tokenizer does (quotes may hold ">" or " href="), so
// markup cannot hide a javascript: link from the checks or an http link from tracking.
const TAG_START = /<(a|area)(?=[\s/>])/gi;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}
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

/** Every `href` of an <a> or <area> tag, in document order (the first `href` of a tag counts, as in browsers). */
export function findLinks(html: string): HtmlLink[] {
  const links: HtmlLink[] = [];
  TAG_START.lastIndex = 0;
  for (let match = TAG_START.exec(html); match; match = TAG_START.exec(html)) {
    let i = match.index + match[0].length;
    let found: HtmlLink | undefined;
    while (i < html.length) {
      while (i < html.length && (isSpace(html.charCodeAt(i)) || html[i] === "/")) i++;
      if (i >= html.length || html[i] === ">") break;
      const nameStart = i;
      // The first character may be "=" (a browser takes it into the name); names end at space, "/", ">" or "=".
      i++;
      while (
        i < html.length &&
        !isSpace(html.charCodeAt(i)) &&
        html[i] !== "/" &&
        html[i] !== ">" &&
        html[i] !== "="
      )
        i++;
      const name = html.slice(nameStart, i).toLowerCase();
      while (i < html.length && isSpace(html.charCodeAt(i))) i++;
      if (html[i] !== "=") continue;
      i++;
      while (i < html.length && isSpace(html.charCodeAt(i))) i++;
      let start: number;
      let end: number;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        start = i + 1;
        end = html.indexOf(quote, start);
        if (end === -1) end = html.length;
        i = end + 1;
      } else {
        start = i;
        while (i < html.length && !isSpace(html.charCodeAt(i)) && html[i] !== ">") i++;
        end = i;
      }
      if (name === "href" && !found) {
        const raw = html.slice(start, end);
        found = { raw, href: decodeEntities(raw).trim(), start, end };
      }
    }
    if (found) links.push(found);
    TAG_START.lastIndex = Math.max(i, TAG_START.lastIndex);
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
