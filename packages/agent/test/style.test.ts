import { describe, expect, it } from "vitest";
import { type CodeStyle, describeStyle, detectFramework, detectStyle, type SourceFile } from "../src";
import { fixture, fixtureSources } from "./fixtures";

async function fixtureStyle(name: string): Promise<CodeStyle> {
  const detection = await detectFramework(fixture(name));
  return detectStyle(fixtureSources(name, detection.srcRoot), {
    aliases: detection.importAliases,
    dependencies: detection.dependencies,
  });
}

const withoutEvidence = ({ evidence: _evidence, ...rest }: CodeStyle) => rest;

describe("detectStyle on the fixtures", () => {
  it("next-app: 2 spaces, double quotes, semicolons, Tailwind, @/ alias, named exports, use client", async () => {
    expect(withoutEvidence(await fixtureStyle("next-app"))).toEqual({
      indent: { kind: "space", size: 2 },
      quotes: "double",
      semicolons: true,
      trailingCommas: "all",
      css: "tailwind",
      cssAll: ["tailwind", "plain-css"],
      importAlias: "@/",
      exportStyle: "named",
      typescript: true,
      useClient: true,
      componentNaming: "kebab-case",
      componentExtension: ".tsx",
    });
  });

  it("next-pages: CSS modules, default function exports, PascalCase files", async () => {
    const style = await fixtureStyle("next-pages");
    expect(style).toMatchObject({
      css: "css-modules",
      exportStyle: "default-function",
      componentNaming: "PascalCase",
      importAlias: "@/",
      useClient: false,
    });
  });

  it("react-vite: single quotes, no semicolons, arrow components exported by default, CSS modules", async () => {
    expect(withoutEvidence(await fixtureStyle("react-vite"))).toEqual({
      indent: { kind: "space", size: 2 },
      quotes: "single",
      semicolons: false,
      trailingCommas: "all",
      css: "css-modules",
      cssAll: ["css-modules", "plain-css"],
      importAlias: null,
      exportStyle: "default-arrow",
      typescript: true,
      useClient: false,
      componentNaming: "PascalCase",
      componentExtension: ".tsx",
    });
  });

  it("react-cra: tabs, JavaScript, plain CSS, function components exported at the end", async () => {
    expect(withoutEvidence(await fixtureStyle("react-cra"))).toMatchObject({
      indent: { kind: "tab", size: 1 },
      quotes: "double",
      semicolons: true,
      css: "plain-css",
      exportStyle: "default-function",
      typescript: false,
      componentExtension: ".js",
    });
  });

  it("vue-vite: scoped styles, no trailing commas, the @/ alias from the config", async () => {
    expect(withoutEvidence(await fixtureStyle("vue-vite"))).toMatchObject({
      quotes: "single",
      semicolons: false,
      trailingCommas: "none",
      css: "vue-scoped",
      importAlias: "@/",
      typescript: false,
      componentNaming: "PascalCase",
      componentExtension: ".vue",
    });
  });

  it("keeps its counts as evidence", async () => {
    const style = await fixtureStyle("react-vite");
    expect(style.evidence.quotes).toEqual({ single: expect.any(Number) });
    expect(style.evidence.semicolons?.no).toBeGreaterThan(10);
  });
});

const file = (path: string, content: string): SourceFile => ({ path, content });

describe("detectStyle on small inputs", () => {
  it("4-space indentation, JSDoc lines and blank lines notwithstanding", () => {
    const style = detectStyle([
      file(
        "src/a.ts",
        "/**\n * Docs.\n */\nexport function a(x: number) {\n    if (x) {\n        return 1;\n    }\n\n    return 2;\n}\n",
      ),
    ]);
    expect(style.indent).toEqual({ kind: "space", size: 4 });
  });

  it("JSX attributes and apostrophes in JSX text do not vote on quotes", () => {
    const style = detectStyle([
      file(
        "src/Card.jsx",
        `import React from 'react'
import { cn } from '../lib/cn'

export default function Card() {
  return <div className="card" title="x" data-kind="promo">Don't miss it, it's here</div>
}
`,
      ),
    ]);
    expect(style.quotes).toBe("single");
    expect(style.evidence.quotes).toEqual({ single: 2 });
  });

  it("trailing commas in literals but not in calls is es5", () => {
    const style = detectStyle([
      file(
        "src/config.ts",
        `export const settings = {
  retries: 3,
  timeout: 10,
};

export const list = [
  "a",
  "b",
];

fetchThings(
  settings,
  list
);
`,
      ),
    ]);
    expect(style.trailingCommas).toBe("es5");
  });

  it("interfaces without separators are not objects without commas", () => {
    const style = detectStyle([
      file(
        "src/types.ts",
        `export interface Props {
  title: string
  count: number
}

export const defaults = {
  title: 'x',
  count: 1,
}

export default defaults
`,
      ),
    ]);
    expect(style.trailingCommas).toBe("all");
    expect(style.semicolons).toBe(false);
  });

  it("styled-components, emotion and SCSS are recognised from imports", () => {
    const styled = detectStyle([
      file(
        "src/Button.tsx",
        'import styled from "styled-components";\nexport const Button = styled.button`\n  color: red;\n`;\n',
      ),
    ]);
    expect(styled.css).toBe("styled-components");
    const emotion = detectStyle([file("src/Box.tsx", 'import styled from "@emotion/styled";\n')]);
    expect(emotion.css).toBe("emotion");
    const scss = detectStyle([
      file("src/Nav.tsx", 'import "./Nav.scss";\n'),
      file("src/Nav.scss", ".nav { a { color: red; } }\n"),
    ]);
    expect(scss.css).toBe("scss");
  });

  it("Tailwind from class lists and from the dependency; plain class names are not Tailwind", () => {
    const utilities = detectStyle([
      file(
        "src/Hero.tsx",
        'export const Hero = () => <h1 className="text-3xl font-bold md:text-5xl px-4">Hi</h1>;\n',
      ),
    ]);
    expect(utilities.css).toBe("tailwind");
    const semantic = detectStyle([
      file(
        "src/Hero.tsx",
        'import "./Hero.css";\nexport const Hero = () => <h1 className="hero-title hero-big">Hi</h1>;\n',
      ),
    ]);
    expect(semantic.css).toBe("plain-css");
    const dependency = detectStyle([], { dependencies: { tailwindcss: "^3.4.0" } });
    expect(dependency.css).toBe("tailwind");
  });

  it("the alias comes from imports first, then from a tsconfig among the files, then from detection", () => {
    const observed = detectStyle([file("src/a.ts", 'import { b } from "~/lib/b";\n')]);
    expect(observed.importAlias).toBe("~/");
    const fromTsconfig = detectStyle([
      file("tsconfig.json", '{ "compilerOptions": { "paths": { "#app/*": ["./src/*"] } } }'),
      file("src/a.ts", 'import { b } from "./b";\n'),
    ]);
    expect(fromTsconfig.importAlias).toBe("#app/");
    const fromDetection = detectStyle([], {
      aliases: [{ prefix: "@/", target: "src/", source: "tsconfig.json" }],
    });
    expect(fromDetection.importAlias).toBe("@/");
  });

  it("Next.js route files do not decide the export style when components exist", () => {
    const style = detectStyle([
      file("app/page.tsx", "export default function Page() { return null }\n"),
      file("app/layout.tsx", "export default function Layout() { return null }\n"),
      file("components/hero.tsx", "export function Hero() { return null }\n"),
    ]);
    expect(style.exportStyle).toBe("named");
    const onlyRoutes = detectStyle([
      file("app/page.tsx", "export default function Page() { return null }\n"),
    ]);
    expect(onlyRoutes.exportStyle).toBe("default-function");
  });

  it('"use client" counts only as a directive at the top', () => {
    const top = detectStyle([file("src/a.tsx", '// comment\n"use client";\nexport function A() {}\n')]);
    expect(top.useClient).toBe(true);
    const inside = detectStyle([file("src/a.tsx", 'export function A() { return "use client" }\n')]);
    expect(inside.useClient).toBe(false);
  });

  it("Vue: lang=ts scripts are TypeScript, <style module> is CSS modules", () => {
    const style = detectStyle([
      file(
        "src/A.vue",
        '<script setup lang="ts">\nconst a: number = 1\n</script>\n<style module>\n.a { color: red }\n</style>\n',
      ),
    ]);
    expect(style.typescript).toBe(true);
    expect(style.css).toBe("css-modules");
  });

  it("no files: defaults, and nothing claimed about CSS, exports or naming", () => {
    const style = detectStyle([]);
    expect(withoutEvidence(style)).toEqual({
      indent: { kind: "space", size: 2 },
      quotes: "double",
      semicolons: true,
      trailingCommas: "all",
      css: "unknown",
      cssAll: [],
      importAlias: null,
      exportStyle: "unknown",
      typescript: true,
      useClient: false,
      componentNaming: "unknown",
      componentExtension: null,
    });
  });

  it("a large file is counted in linear time", () => {
    const line = "const value = { a: 'x', b: \"y\", c: [1, 2, 3] };\n";
    const started = performance.now();
    detectStyle([file("src/big.ts", line.repeat(20_000))]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("describeStyle", () => {
  it("renders the next-app style as short instructions", async () => {
    expect(describeStyle(await fixtureStyle("next-app"))).toBe(`Match the repository's code style:
- Write TypeScript (.ts/.tsx) with types on props.
- Indent with 2 spaces.
- Use double quotes for strings and end statements with semicolons.
- Trailing commas in every multi-line list (objects, arrays, parameters, calls).
- Style with Tailwind CSS utility classes in className; add no new style sheets.
- Import the app's own modules through the "@/" alias.
- Components: named exports (\`export function Name() {…}\`), no default export except where the framework needs one.
- Start a component that uses state, effects or the experiment hook with "use client".
- Name component files in kebab-case (pricing-table.tsx).`);
  });

  it("renders tabs, JavaScript and the component extension of a CRA app", async () => {
    const text = describeStyle(await fixtureStyle("react-cra"));
    expect(text).toContain("- Write JavaScript (.js/.jsx); no TypeScript syntax.");
    expect(text).toContain("- Indent with tabs.");
    expect(text).toContain("- Name component files in PascalCase (PricingTable.js).");
    expect(text).not.toContain("use client");
  });

  it("leaves out what it does not know", () => {
    const text = describeStyle(detectStyle([]));
    expect(text).not.toMatch(/Style with|alias|Components:|Name component files/);
  });
});
