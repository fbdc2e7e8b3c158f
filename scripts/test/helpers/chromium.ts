// Finds the system Chromium (Debian `chromium`) for the browser tests; playwright-core downloads
// no browser. Without one the suites are skipped and their titles say why.

import { accessSync, constants, statSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH when set (and then only it), else the Debian/Ubuntu locations. */
export function findChromium(): { executablePath: string } | { reason: string } {
  const explicit = process.env.CHROMIUM_PATH?.trim();
  if (explicit) {
    return isExecutable(explicit)
      ? { executablePath: explicit }
      : { reason: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  const found = CANDIDATES.find(isExecutable);
  return found
    ? { executablePath: found }
    : {
        reason: `no Chromium at ${CANDIDATES.join(" or ")} (apt-get install chromium, or set CHROMIUM_PATH)`,
      };
}

/**
 * A describe title that says "skipped" and why when there is no Chromium; the reason is also
 * printed, since reporters do not show the titles of skipped suites.
 */
export function browserSuiteTitle(title: string, found: ReturnType<typeof findChromium>): string {
  if (!("reason" in found)) return title;
  console.warn(`⚠ SKIPPED: ${title}: ${found.reason}`);
  return `${title}: skipped, ${found.reason}`;
}
