import { APP_JS } from "./static/client";
import { APP_CSS } from "./static/styles";
import vendor from "./vendor.json";

/**
 * Every dashboard asset has its version in its URL and is cached for good (docs/adr/0021-
 * dashboard-stack.md). Vendored libraries are static assets copied by
 * scripts/build-docs-assets.mjs to /app/assets/vendor/<package>@<version>/ (vendor.json pins
 * both sides); the dashboard's own stylesheet and script are served by the Worker at a URL with
 * their content hash, so an edit is a new URL without a build step.
 */
type VendorPackage = keyof typeof vendor;

export function vendorUrl<P extends VendorPackage>(pkg: P, file: keyof (typeof vendor)[P]["files"]): string {
  return `/app/assets/vendor/${pkg}@${vendor[pkg].version}/${String(file)}`;
}

/** FNV-1a, 32 bits: a cache key for our own files, computed once per isolate. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

export interface OwnAsset {
  path: string;
  body: string;
  contentType: string;
}

export const OWN_ASSETS: Record<"css" | "js", OwnAsset> = {
  css: {
    path: `/app/static/app-${fnv1a(APP_CSS)}.css`,
    body: APP_CSS,
    contentType: "text/css; charset=utf-8",
  },
  js: {
    path: `/app/static/app-${fnv1a(APP_JS)}.js`,
    body: APP_JS,
    contentType: "text/javascript; charset=utf-8",
  },
};

export const IMMUTABLE = "public, max-age=31536000, immutable";
