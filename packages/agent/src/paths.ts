// Repository paths are always "/"-separated and relative to the repository root, without a
// leading "./"; the repository root itself is "".

/** Joins repository path parts, skipping empty ones ("" is the repository root). */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split("/"))
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/** The folder holding a path ("" for a file at the root). */
export function dirname(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at);
}

/** The last part of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The file's extension with its dot (".tsx"), or "" when there is none. */
export function extname(path: string): string {
  const name = basename(path);
  const at = name.lastIndexOf(".");
  return at <= 0 ? "" : name.slice(at);
}

/** The file name without its extension ("pricing-table" for "src/pricing-table.tsx"). */
export function stem(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext === "" ? name : name.slice(0, -ext.length);
}

/** `path` relative to `folder`, or null when it is not inside it. `folder` "" is the root. */
export function relativeTo(path: string, folder: string): string | null {
  if (folder === "") return path;
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : null;
}

/** Resolves "./" and "../" parts of a relative specifier against a folder; null when it climbs out. */
export function resolveRelative(folder: string, specifier: string): string | null {
  const out = folder === "" ? [] : folder.split("/");
  for (const part of specifier.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join("/");
}
