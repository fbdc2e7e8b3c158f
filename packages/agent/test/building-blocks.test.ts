import { describe, expect, it } from "vitest";
import {
  htmlEntry,
  importBindings,
  lex,
  matchRoute,
  memorySnapshot,
  nameKey,
  nextSegment,
  parseJsonc,
  parsePnpmWorkspace,
  patternParts,
  RepoIndex,
  resolveImport,
  routeSegments,
  spaSegment,
  splitWords,
  viteConfigAliases,
} from "../src";

describe("memorySnapshot and RepoIndex", () => {
  it("lists files with byte sizes and the folders above them", async () => {
    const snapshot = memorySnapshot({ "src/a/b.ts": "é", "README.md": "x" });
    expect(snapshot.tree).toEqual([
      { path: "README.md", type: "blob", size: 1 },
      { path: "src", type: "tree" },
      { path: "src/a", type: "tree" },
      { path: "src/a/b.ts", type: "blob", size: 2 },
    ]);
    expect(await snapshot.read("src/a/b.ts")).toBe("é");
    expect(await snapshot.read("src/a")).toBeNull();
    expect(await snapshot.read("constructor")).toBeNull();
  });

  it("derives folders a listing left out, caches reads and honours the budget", async () => {
    let reads = 0;
    const index = new RepoIndex(
      {
        tree: [
          { path: "a/b/c.ts", type: "blob", size: 3 },
          { path: "d.ts", type: "blob" },
        ],
        read: async (path) => {
          reads += 1;
          return path;
        },
      },
      1,
    );
    expect(index.hasFolder("a")).toBe(true);
    expect(index.hasFolder("a/b")).toBe(true);
    expect(index.subfolders("")).toEqual(["a"]);
    expect(index.size("a/b/c.ts")).toBe(3);
    expect(await index.read("a/b/c.ts")).toBe("a/b/c.ts");
    expect(await index.read("a/b/c.ts")).toBe("a/b/c.ts");
    expect(await index.read("d.ts")).toBeNull();
    expect(await index.read("missing.ts")).toBeNull();
    expect(reads).toBe(1);
  });
});

describe("parseJsonc", () => {
  it("strips comments and trailing commas outside strings only", () => {
    expect(
      parseJsonc(`{
        // line
        "paths": { "@/*": ["./src/*"], }, /* block */
        "url": "http://x.example/a,]",
      }`),
    ).toEqual({ paths: { "@/*": ["./src/*"] }, url: "http://x.example/a,]" });
  });

  it("answers null for what is not JSON", () => {
    expect(parseJsonc("{ nope")).toBeNull();
    expect(parseJsonc("")).toBeNull();
  });
});

describe("routes", () => {
  const next = (path: string) => routeSegments(path).map(nextSegment);
  const spa = (path: string) => patternParts(path).map(spaSegment);

  it.each([
    [next("/pricing"), "/pricing", "exact"],
    [next("/pricing"), "/pricing/", "exact"],
    [next("/pricing"), "/pricing?plan=pro#faq", "exact"],
    [next("/pricing"), "/Pricing", null],
    [next("/blog/[slug]"), "/blog/a", "param"],
    [next("/blog/[slug]"), "/blog", null],
    [next("/docs/[...slug]"), "/docs/a/b/c", "rest"],
    [next("/docs/[...slug]"), "/docs", null],
    [next("/shop/[[...slug]]"), "/shop", "rest"],
    [next("/shop/[[...slug]]"), "/shop/a/b", "rest"],
    [spa("/projects/:id"), "/projects/7", "param"],
    [spa("/projects/:id?"), "/projects", "exact"],
    [spa("/files/*"), "/files/a/b", "rest"],
    [spa("/:pathMatch(.*)*"), "/anything/at/all", "rest"],
    [spa("/"), "/", "exact"],
  ] as const)("%j against %s → %s", (pattern, route, expected) => {
    expect(matchRoute(pattern, routeSegments(route))).toBe(expected);
  });
});

describe("imports", () => {
  it("lists default, named, aliased and lazy bindings", () => {
    const code = `import React, { useState as useLocal, type FC } from "react";
import Pricing from './pages/Pricing'
import type { Plan } from "@/types";
const Lazy = lazy(() => import("./pages/Lazy"));
const View = () => import('../views/View.vue')
`;
    expect(importBindings(code).map(({ name, specifier, lazy }) => [name, specifier, lazy])).toEqual([
      ["React", "react", false],
      ["useLocal", "react", false],
      ["FC", "react", false],
      ["Pricing", "./pages/Pricing", false],
      ["Plan", "@/types", false],
      ["Lazy", "./pages/Lazy", true],
      ["View", "../views/View.vue", true],
    ]);
  });

  it("resolves relative paths, aliases, extensions and index files; packages and escapes are null", () => {
    const index = new RepoIndex(
      memorySnapshot({
        "src/pages/Pricing.tsx": "",
        "src/components/Card/index.jsx": "",
        "src/views/View.vue": "",
      }),
    );
    const aliases = [{ prefix: "@/", target: "src/", source: "tsconfig.json" }];
    expect(resolveImport(index, "src/App.tsx", "./pages/Pricing", aliases)).toBe("src/pages/Pricing.tsx");
    expect(resolveImport(index, "src/pages/Pricing.tsx", "../components/Card", aliases)).toBe(
      "src/components/Card/index.jsx",
    );
    expect(resolveImport(index, "src/router/index.js", "@/views/View.vue", aliases)).toBe(
      "src/views/View.vue",
    );
    expect(resolveImport(index, "src/App.tsx", "react", aliases)).toBeNull();
    expect(resolveImport(index, "src/App.tsx", "../../../etc/passwd", aliases)).toBeNull();
  });
});

describe("config readers", () => {
  it("reads the packages list of pnpm-workspace.yaml", () => {
    expect(
      parsePnpmWorkspace(`packages:
  - "apps/*"
  - 'packages/*' # shared
  - tools
  - "!**/test/**"
catalog:
  react: 19.0.0
`),
    ).toEqual(["apps/*", "packages/*", "tools", "!**/test/**"]);
  });

  it("reads Vite aliases and the module entry of index.html", () => {
    expect(
      viteConfigAliases(
        "alias: { '@': fileURLToPath(new URL('./src', import.meta.url)), '~': path.resolve(__dirname, 'app') }",
        "web/vite.config.ts",
      ).map(({ prefix, target }) => [prefix, target]),
    ).toEqual([
      ["@/", "web/src/"],
      ["~/", "web/app/"],
    ]);
    expect(htmlEntry('<script src="https://cdn.example/x.js" type="module"></script>', "")).toBeNull();
    expect(htmlEntry('<script type="module" src="./src/main.ts"></script>', "web")).toBe("web/src/main.ts");
  });
});

describe("names and lexing", () => {
  it("splits names in every convention", () => {
    expect(splitWords("PricingTable")).toEqual(["pricing", "table"]);
    expect(splitWords("pricing-table_v2")).toEqual(["pricing", "table", "v2"]);
    expect(splitWords("CTAButton")).toEqual(["cta", "button"]);
    expect(nameKey("pricing-table")).toBe(nameKey("PricingTable"));
  });

  it("blanks strings and comments and remembers the token before each string", () => {
    const { code, strings } = lex(`import a from "x"; // 'not a string'
const b = () => 'y' /* "nor this" */
<p>Don't</p>`);
    expect(strings.map((item) => [item.quote, item.value, item.before])).toEqual([
      ['"', "x", "from"],
      ["'", "y", "=>"],
    ]);
    expect(code).not.toContain("not a string");
    expect(code.split("\n")).toHaveLength(3);
  });
});
