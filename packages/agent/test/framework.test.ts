import { describe, expect, it } from "vitest";
import { detectFramework, memorySnapshot, type RepoSnapshot } from "../src";
import { fixture } from "./fixtures";

describe("detectFramework on the fixture repositories", () => {
  const cases = [
    {
      name: "next-app",
      framework: "next-app",
      packageManager: "pnpm",
      typescript: true,
      srcRoot: "src",
      sourceDirs: ["src"],
      entryPoint: "src/app/layout.tsx",
      routing: { pattern: "next-app-router", appDir: "src/app" },
      aliases: [{ prefix: "@/", target: "src/" }],
    },
    {
      name: "next-pages",
      framework: "next-pages",
      packageManager: "npm",
      typescript: true,
      srcRoot: "",
      sourceDirs: ["components", "pages", "styles"],
      entryPoint: "pages/_app.tsx",
      routing: { pattern: "next-pages-router", pagesDir: "pages" },
      aliases: [{ prefix: "@/", target: "" }],
    },
    {
      name: "react-vite",
      framework: "react-vite",
      packageManager: "yarn",
      typescript: true,
      srcRoot: "src",
      sourceDirs: ["src"],
      entryPoint: "src/main.tsx",
      routing: { pattern: "react-router", library: "react-router-dom@^6.27.0" },
      aliases: [],
    },
    {
      name: "react-cra",
      framework: "react-cra",
      packageManager: "npm",
      typescript: false,
      srcRoot: "src",
      sourceDirs: ["src"],
      entryPoint: "src/index.js",
      routing: { pattern: "react-router", library: "react-router-dom@^6.22.3" },
      aliases: [],
    },
    {
      name: "vue-vite",
      framework: "vue-vite",
      packageManager: "unknown",
      typescript: false,
      srcRoot: "src",
      sourceDirs: ["src"],
      entryPoint: "src/main.js",
      routing: { pattern: "vue-router", library: "vue-router@^4.4.5" },
      aliases: [{ prefix: "@/", target: "src/" }],
    },
  ] as const;

  for (const expected of cases) {
    it(`${expected.name}: ${expected.framework}`, async () => {
      const detection = await detectFramework(fixture(expected.name));
      expect(detection.framework).toBe(expected.framework);
      expect(detection.appRoot).toBe("");
      expect(detection.packageManager).toBe(expected.packageManager);
      expect(detection.typescript).toBe(expected.typescript);
      expect(detection.srcRoot).toBe(expected.srcRoot);
      expect(detection.sourceDirs).toEqual(expected.sourceDirs);
      expect(detection.entryPoint).toBe(expected.entryPoint);
      expect(detection.routing).toEqual(expected.routing);
      expect(detection.importAliases.map(({ prefix, target }) => ({ prefix, target }))).toEqual(
        expected.aliases,
      );
      expect(detection.monorepo).toBe(false);
      expect(detection.warnings).toEqual([]);
      // The winner leads the candidates, with the evidence that made it win.
      expect(detection.candidates[0]?.framework).toBe(expected.framework);
      expect(detection.candidates[0]?.evidence.length).toBeGreaterThanOrEqual(3);
      // Detection reads a handful of small files, not the repository.
      expect(detection.reads).toBeLessThanOrEqual(6);
    });
  }

  it("next-app: the pages router is a losing candidate with only the shared Next.js evidence", async () => {
    const detection = await detectFramework(fixture("next-app"));
    const [first, second] = detection.candidates;
    expect(first?.evidence).toContain("src/app/layout.tsx is an app router root layout");
    expect(second?.framework).toBe("next-pages");
    expect(second?.score).toBeLessThan(first?.score ?? 0);
  });

  it("react-vite: the entry comes from index.html and the config may be a .mts file", async () => {
    const detection = await detectFramework(fixture("react-vite"));
    expect(detection.candidates[0]?.evidence).toEqual(
      expect.arrayContaining(["vite.config.mts exists", "index.html loads src/main.tsx"]),
    );
  });

  it("monorepo: picks apps/web (Next.js) among the workspaces and reports every app", async () => {
    const detection = await detectFramework(fixture("monorepo"));
    expect(detection.monorepo).toBe(true);
    expect(detection.appRoot).toBe("apps/web");
    expect(detection.framework).toBe("next-app");
    expect(detection.packageManager).toBe("pnpm");
    expect(detection.srcRoot).toBe("apps/web");
    expect(detection.sourceDirs).toEqual(["apps/web/app", "apps/web/components"]);
    expect(detection.entryPoint).toBe("apps/web/app/layout.tsx");
    expect(detection.routing).toEqual({ pattern: "next-app-router", appDir: "apps/web/app" });
    expect(detection.importAliases.map(({ prefix, target }) => ({ prefix, target }))).toEqual([
      { prefix: "@/", target: "apps/web/" },
    ]);
    expect(detection.apps.map((app) => [app.appRoot, app.framework])).toEqual([
      ["", "unknown"],
      ["apps/web", "next-app"],
      ["packages/ui", "unknown"],
    ]);
    expect(detection.candidates.every((candidate) => candidate.appRoot === "apps/web")).toBe(true);
  });

  it("empty: a repository with only a README is unknown and offers no folder to write in", async () => {
    const detection = await detectFramework(fixture("empty"));
    expect(detection).toMatchObject({
      framework: "unknown",
      candidates: [],
      sourceDirs: [],
      entryPoint: null,
      routing: { pattern: "none" },
      packageManager: "unknown",
    });
    expect(detection.warnings).toEqual(["No package.json found: not a JavaScript app."]);
  });

  it("an empty tree (GitHub's empty repository) is unknown too", async () => {
    const detection = await detectFramework(memorySnapshot({}));
    expect(detection.framework).toBe("unknown");
    expect(detection.apps).toHaveLength(1);
    expect(detection.reads).toBe(0);
  });
});

const json = (value: unknown) => JSON.stringify(value, null, 2);

describe("detectFramework on small in-memory repositories", () => {
  it("a Next.js app without src/ that keeps both routers: app router first, pages dir reported", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({ dependencies: { next: "14.2.0", react: "18.3.1" } }),
        "app/layout.jsx": "export default function L({ children }) { return children }",
        "app/page.jsx": "export default function P() { return null }",
        "pages/legacy.jsx": "export default function Legacy() { return null }",
        "lib/format.js": "export const format = (n) => n",
      }),
    );
    expect(detection.framework).toBe("next-app");
    expect(detection.typescript).toBe(false);
    expect(detection.srcRoot).toBe("");
    expect(detection.routing).toEqual({ pattern: "next-app-router", appDir: "app", pagesDir: "pages" });
    expect(detection.sourceDirs).toEqual(["app", "components", "lib", "pages"]);
    expect(detection.packageManager).toBe("unknown");
  });

  it("Vue CLI: the dependency, vue.config.js and the built-in @ alias", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({
          scripts: { serve: "vue-cli-service serve" },
          dependencies: { vue: "^3.2.13", "vue-router": "^4.0.3" },
          devDependencies: { "@vue/cli-service": "~5.0.0" },
        }),
        "vue.config.js": "module.exports = { transpileDependencies: true }",
        "public/index.html": "<div id=app></div>",
        "src/main.js": "import { createApp } from 'vue'",
        "src/App.vue": "<template><router-view /></template>",
      }),
    );
    expect(detection.framework).toBe("vue-cli");
    expect(detection.entryPoint).toBe("src/main.js");
    expect(detection.routing.pattern).toBe("vue-router");
    expect(detection.importAliases).toEqual([
      { prefix: "@/", target: "src/", source: "Vue CLI's built-in alias" },
    ]);
  });

  it("CRACO counts as Create React App", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({
          scripts: { start: "craco start" },
          dependencies: { react: "18.2.0", "react-scripts": "5.0.1" },
          devDependencies: { "@craco/craco": "^7.1.0" },
        }),
        "src/index.tsx": "",
        "tsconfig.json": "{}",
      }),
    );
    expect(detection.framework).toBe("react-cra");
    expect(detection.entryPoint).toBe("src/index.tsx");
    expect(detection.typescript).toBe(true);
  });

  it("finds the app in a folder when the root has no package.json", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "README.md": "# monorepo by hand",
        "server/package.json": json({ dependencies: { express: "^4.19.2" } }),
        "frontend/package.json": json({
          dependencies: { react: "^18.3.1", "react-dom": "^18.3.1" },
          devDependencies: { vite: "^5.4.0", "@vitejs/plugin-react-swc": "^3.7.0" },
        }),
        "frontend/bun.lockb": "",
        "frontend/index.html": '<script src="/src/main.jsx" type="module"></script>',
        "frontend/src/main.jsx": "",
      }),
    );
    expect(detection.appRoot).toBe("frontend");
    expect(detection.framework).toBe("react-vite");
    expect(detection.entryPoint).toBe("frontend/src/main.jsx");
    expect(detection.sourceDirs).toEqual(["frontend/src"]);
    expect(detection.packageManager).toBe("bun");
  });

  it("yarn workspaces in the object form, and packageManager winning over lockfiles", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({
          private: true,
          workspaces: { packages: ["apps/*"] },
          packageManager: "yarn@4.5.0",
        }),
        "package-lock.json": "{}",
        "apps/site/package.json": json({ dependencies: { next: "15.0.0", react: "19.0.0" } }),
        "apps/site/pages/_app.tsx": "",
        "apps/site/pages/index.tsx": "",
        "apps/admin/package.json": json({ dependencies: { react: "19.0.0" } }),
      }),
    );
    expect(detection.appRoot).toBe("apps/site");
    expect(detection.framework).toBe("next-pages");
    expect(detection.routing).toEqual({ pattern: "next-pages-router", pagesDir: "apps/site/pages" });
    expect(detection.packageManager).toBe("yarn");
    expect(detection.apps.map((app) => app.appRoot)).toEqual(["", "apps/admin", "apps/site"]);
  });

  it("two framework apps: the higher score wins and a warning names both", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({ workspaces: ["packages/*", "apps/*"] }),
        "apps/web/package.json": json({ scripts: { dev: "next dev" }, dependencies: { next: "15.0.0" } }),
        "apps/web/next.config.mjs": "export default {}",
        "apps/web/app/layout.tsx": "",
        "packages/playground/package.json": json({
          dependencies: { vue: "3.5.0" },
          devDependencies: { vite: "5.0.0", "@vitejs/plugin-vue": "5.0.0" },
        }),
      }),
    );
    expect(detection.appRoot).toBe("apps/web");
    expect(detection.warnings).toEqual([
      "Several apps found (apps/web, packages/playground); chose apps/web.",
    ]);
  });

  it("React without a bundler it knows is unknown: no candidate is invented", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({ dependencies: { react: "18.3.1", parcel: "2.12.0" } }),
        "src/index.jsx": "",
      }),
    );
    expect(detection.framework).toBe("unknown");
    expect(detection.candidates).toEqual([]);
    expect(detection.sourceDirs).toEqual(["src"]);
  });

  it("tsconfig paths through references, comments and trailing commas (Vite's template)", async () => {
    const detection = await detectFramework(
      memorySnapshot({
        "package.json": json({ dependencies: { react: "19.0.0" }, devDependencies: { vite: "6.0.0" } }),
        "vite.config.ts": "import react from '@vitejs/plugin-react'\nexport default { plugins: [react()] }",
        "tsconfig.json": '{ "files": [], "references": [{ "path": "./tsconfig.app.json" },] }',
        "tsconfig.app.json": `{
          // aliases
          "compilerOptions": {
            "baseUrl": ".",
            /* "paths" holds "/*" inside strings */
            "paths": { "@/*": ["./src/*"], "~components/*": ["src/components/*"], },
          },
        }`,
      }),
    );
    expect(detection.framework).toBe("react-vite");
    expect(detection.importAliases).toEqual([
      { prefix: "@/", target: "src/", source: "tsconfig.app.json" },
      { prefix: "~components/", target: "src/components/", source: "tsconfig.app.json" },
    ]);
  });

  it("a truncated listing and failing reads give warnings and nulls, never a throw", async () => {
    const files = { "package.json": json({ dependencies: { next: "15.0.0" } }), "app/layout.tsx": "" };
    const base = memorySnapshot(files);
    const snapshot: RepoSnapshot = {
      tree: base.tree,
      truncated: true,
      read: async (path) => {
        if (path === "package.json") return base.read(path);
        throw new Error("GitHub said 502");
      },
    };
    const detection = await detectFramework(snapshot);
    expect(detection.framework).toBe("next-app");
    expect(detection.warnings).toContain("The repository listing was truncated; some files were not seen.");
  });

  it("stops reading at the read budget", async () => {
    const files: Record<string, string> = { "package.json": json({ workspaces: ["packages/*"] }) };
    for (let i = 0; i < 30; i += 1)
      files[`packages/p${i}/package.json`] = json({ dependencies: { react: "19" } });
    const detection = await detectFramework(memorySnapshot(files), { maxReads: 10 });
    expect(detection.reads).toBe(10);
    expect(detection.warnings).toContain("Only the first 20 workspaces were inspected.");
  });
});
