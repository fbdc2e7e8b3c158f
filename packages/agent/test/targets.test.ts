import { describe, expect, it } from "vitest";
import {
  checkWritePath,
  detectFramework,
  findTargetFiles,
  memorySnapshot,
  type RepoSnapshot,
  type TargetCandidate,
  type TargetSpec,
} from "../src";
import { fixture } from "./fixtures";

async function find(snapshot: RepoSnapshot, target: TargetSpec, maxReads?: number) {
  const detection = await detectFramework(snapshot);
  return { detection, found: await findTargetFiles(snapshot, detection, target, { maxReads }) };
}

const brief = (found: TargetCandidate[]) => found.map(({ path, role, score }) => [path, role, score]);

describe("findTargetFiles for a page on the fixtures", () => {
  it("next-app: the page inside a route group, then its components and layouts", async () => {
    const { found } = await find(fixture("next-app"), { kind: "page", route: "/pricing" });
    expect(brief(found)).toEqual([
      ["src/app/(marketing)/pricing/page.tsx", "page", 100],
      ["src/components/pricing-table.tsx", "component", 45],
      ["src/app/(marketing)/layout.tsx", "layout", 30],
      ["src/app/layout.tsx", "layout", 25],
    ]);
    expect(found[0]?.reasons).toEqual(["app router page for /pricing", "inside route group (marketing)"]);
    expect(found[1]?.reasons).toEqual(["imported by src/app/(marketing)/pricing/page.tsx as PricingTable"]);
  });

  it("next-app: a dynamic segment and the root page", async () => {
    const blog = await find(fixture("next-app"), { kind: "page", route: "/blog/launch-week/" });
    expect(blog.found[0]).toMatchObject({
      path: "src/app/blog/[slug]/page.tsx",
      score: 75,
      reasons: ["app router page for /blog/launch-week/ (param segment)"],
    });
    const home = await find(fixture("next-app"), { kind: "page", route: "/" });
    expect(home.found[0]?.path).toBe("src/app/page.tsx");
  });

  it("next-app: a route nothing serves finds nothing", async () => {
    const { found } = await find(fixture("next-app"), { kind: "page", route: "/careers" });
    expect(found).toEqual([]);
  });

  it("next-pages: pages/pricing.tsx, its component, style sheet and _app", async () => {
    const { found } = await find(fixture("next-pages"), { kind: "page", route: "/pricing" });
    expect(brief(found)).toEqual([
      ["pages/pricing.tsx", "page", 100],
      ["components/PriceList.tsx", "component", 45],
      ["pages/_app.tsx", "layout", 25],
      ["styles/Pricing.module.css", "style", 20],
    ]);
  });

  it("react-vite: the <Route> table in App.tsx, then the lazily imported page", async () => {
    const { found } = await find(fixture("react-vite"), { kind: "page", route: "/pricing" });
    expect(brief(found)).toEqual([
      ["src/pages/Pricing.tsx", "page", 95],
      ["src/App.tsx", "route-definition", 90],
      ["src/components/PlanCard.tsx", "component", 45],
      ["src/pages/Pricing.module.css", "style", 20],
    ]);
    expect(found[0]?.reasons[0]).toBe(
      'rendered for "/pricing" by src/App.tsx (Pricing from "./pages/Pricing")',
    );
    expect(found[1]?.reasons).toEqual(['defines path "/pricing" for /pricing (line 15)']);
  });

  it("react-vite: a :param route", async () => {
    const { found } = await find(fixture("react-vite"), { kind: "page", route: "/projects/42" });
    expect(found[0]).toMatchObject({ path: "src/pages/Home.tsx", role: "page", score: 70 });
    expect(found[1]).toMatchObject({ path: "src/App.tsx", role: "route-definition", score: 65 });
  });

  it("react-cra: an object route table in routes.js", async () => {
    const { found } = await find(fixture("react-cra"), { kind: "page", route: "/pricing" });
    expect(brief(found)).toEqual([
      ["src/pages/PricingPage.js", "page", 95],
      ["src/routes.js", "route-definition", 90],
      ["src/components/PriceTag.js", "component", 45],
    ]);
  });

  it("vue-vite: router/index.js, a lazy component and an @/ import", async () => {
    const pricing = await find(fixture("vue-vite"), { kind: "page", route: "/pricing" });
    expect(brief(pricing.found)).toEqual([
      ["src/views/PricingView.vue", "page", 95],
      ["src/router/index.js", "route-definition", 90],
      ["src/components/PlanCard.vue", "component", 45],
    ]);
    const recipe = await find(fixture("vue-vite"), { kind: "page", route: "/recipes/7" });
    expect(recipe.found[0]).toMatchObject({ path: "src/views/RecipeView.vue", score: 70 });
    const home = await find(fixture("vue-vite"), { kind: "page", route: "/" });
    expect(home.found[0]?.path).toBe("src/views/HomeView.vue");
  });

  it("monorepo: paths stay repository-relative", async () => {
    const { found } = await find(fixture("monorepo"), { kind: "page", route: "/pricing" });
    expect(found.map((item) => item.path)).toEqual([
      "apps/web/app/pricing/page.tsx",
      "apps/web/components/plan-grid.tsx",
      "apps/web/app/layout.tsx",
    ]);
  });

  it("empty: nothing", async () => {
    const { found } = await find(fixture("empty"), { kind: "page", route: "/pricing" });
    expect(found).toEqual([]);
  });

  it("every candidate on every fixture is a path the agent may write", async () => {
    for (const name of ["next-app", "next-pages", "react-vite", "react-cra", "vue-vite", "monorepo"]) {
      const snapshot = fixture(name);
      const detection = await detectFramework(snapshot);
      for (const target of [
        { kind: "page", route: "/pricing" },
        { kind: "component", name: "PlanCard" },
      ] as const) {
        for (const candidate of await findTargetFiles(snapshot, detection, target)) {
          expect(checkWritePath(candidate.path, detection), `${name}: ${candidate.path}`).toEqual({
            ok: true,
            path: candidate.path,
          });
        }
      }
    }
  });
});

describe("findTargetFiles for a page on in-memory repositories", () => {
  const nextApp = (files: Record<string, string>) =>
    memorySnapshot({ "package.json": JSON.stringify({ dependencies: { next: "15.0.0" } }), ...files });

  it("app router: private folders, intercepting routes and parallel slots; catch-alls rank below", async () => {
    const snapshot = nextApp({
      "app/layout.tsx": "",
      "app/_drafts/pricing/page.tsx": "",
      "app/(.)pricing/page.tsx": "",
      "app/@modal/pricing/page.tsx": "",
      "app/(shop)/pricing/page.tsx": "",
      "app/[...slug]/page.tsx": "",
      "app/[[...rest]]/page.mdx": "",
    });
    const { found } = await find(snapshot, { kind: "page", route: "/pricing" });
    expect(brief(found.filter((item) => item.role === "page"))).toEqual([
      ["app/(shop)/pricing/page.tsx", "page", 100],
      ["app/@modal/pricing/page.tsx", "page", 100],
      ["app/[...slug]/page.tsx", "page", 50],
      ["app/[[...rest]]/page.mdx", "page", 50],
    ]);
    const root = await find(snapshot, { kind: "page", route: "/" });
    expect(root.found.filter((item) => item.role === "page").map((item) => item.path)).toEqual([
      "app/[[...rest]]/page.mdx",
    ]);
  });

  it("pages router: index files, dynamic pages below static ones, API routes never", async () => {
    const snapshot = nextApp({
      "src/pages/_app.tsx": "",
      "src/pages/pricing/index.tsx": "",
      "src/pages/[slug].tsx": "",
      "src/pages/api/pricing.ts": "",
      "src/pages/_pricing.tsx": "",
    });
    const { found } = await find(snapshot, { kind: "page", route: "/pricing" });
    expect(brief(found)).toEqual([
      ["src/pages/pricing/index.tsx", "page", 100],
      ["src/pages/[slug].tsx", "page", 75],
      ["src/pages/_app.tsx", "layout", 25],
    ]);
  });

  it("react-router data routers: lazy route modules, relative child paths and element before path", async () => {
    const snapshot = memorySnapshot({
      "package.json": JSON.stringify({
        dependencies: { react: "19.0.0", "react-router": "7.0.0" },
        devDependencies: { vite: "6.0.0" },
      }),
      "src/main.tsx": `import { createBrowserRouter } from "react-router";
import Root from "./routes/root";
import Blog from "./blog/Blog";

export const router = createBrowserRouter([
  {
    path: "/",
    Component: Root,
    children: [
      { path: "pricing", lazy: () => import("./routes/pricing") },
      { path: "blog/:slug", element: <Blog /> },
    ],
  },
]);
`,
      "src/routes/root.tsx": "export default function Root() { return null }",
      "src/routes/pricing.tsx": "export function Component() { return null }",
      "src/blog/Blog.tsx": "export default function Blog() { return null }",
      "src/legacy/Routes.tsx": `import Old from "./OldPricing";
export const legacy = <Route element={<Old />} path="/old-pricing" />;
`,
      "src/legacy/OldPricing.tsx": "export default function Old() { return null }",
    });
    const pricing = await find(snapshot, { kind: "page", route: "/pricing" });
    expect(brief(pricing.found)).toEqual([
      ["src/routes/pricing.tsx", "page", 80],
      ["src/main.tsx", "route-definition", 75],
    ]);
    expect(pricing.found[0]?.reasons).toEqual([
      'rendered for "pricing" by src/main.tsx (lazily imported from "./routes/pricing")',
      'file name pricing.tsx matches "pricing"',
    ]);
    const blog = await find(snapshot, { kind: "page", route: "/blog/hello" });
    expect(blog.found[0]).toMatchObject({ path: "src/blog/Blog.tsx", score: 55 });
    const old = await find(snapshot, { kind: "page", route: "/old-pricing" });
    expect(old.found[0]).toMatchObject({ path: "src/legacy/OldPricing.tsx", score: 95 });
  });

  it("a component defined in the router file itself", async () => {
    const snapshot = memorySnapshot({
      "package.json": JSON.stringify({ dependencies: { react: "18.0.0", "react-scripts": "5.0.1" } }),
      "src/App.jsx": `function Pricing() { return <h1>Pricing</h1> }
export default function App() { return <Routes><Route path="/pricing" element={<Pricing />} /></Routes> }
`,
    });
    const { found } = await find(snapshot, { kind: "page", route: "/pricing" });
    expect(found).toEqual([
      {
        path: "src/App.jsx",
        role: "page",
        score: 95,
        reasons: [
          'defines path "/pricing" for /pricing (line 2)',
          'rendered for "/pricing" by src/App.jsx (Pricing, defined in src/App.jsx)',
        ],
      },
    ]);
  });

  it("stays inside its read budget", async () => {
    const files: Record<string, string> = {
      "package.json": JSON.stringify({ dependencies: { react: "18.0.0", "react-scripts": "5.0.1" } }),
    };
    for (let i = 0; i < 50; i += 1)
      files[`src/feature${i}/index.js`] = `export const x${i} = { path: "/x${i}" }`;
    files["src/routes.js"] = 'import P from "./P"\nexport default [{ path: "/pricing", element: <P /> }]';
    files["src/P.js"] = "";
    let reads = 0;
    const base = memorySnapshot(files);
    const counting: RepoSnapshot = {
      tree: base.tree,
      read: (path) => {
        reads += 1;
        return base.read(path);
      },
    };
    const detection = await detectFramework(counting);
    reads = 0;
    const found = await findTargetFiles(
      counting,
      detection,
      { kind: "page", route: "/pricing" },
      { maxReads: 5 },
    );
    expect(reads).toBe(5);
    // The router file is read first because of its name.
    expect(found[0]?.path).toBe("src/P.js");
  });
});

describe("findTargetFiles for a component", () => {
  it("next-app: a kebab-case file for a PascalCase name, and where it is rendered", async () => {
    const { found } = await find(fixture("next-app"), { kind: "component", name: "PricingTable" });
    expect(brief(found)).toEqual([
      ["src/components/pricing-table.tsx", "component", 90],
      ["src/app/(marketing)/pricing/page.tsx", "usage", 30],
    ]);
    expect(found[0]?.reasons).toEqual([
      "file name pricing-table.tsx matches PricingTable",
      "declares PricingTable",
    ]);
  });

  it("react-vite: the exact file name, its CSS module and its users", async () => {
    const { found } = await find(fixture("react-vite"), { kind: "component", name: "PlanCard" });
    expect(brief(found)).toEqual([
      ["src/components/PlanCard.tsx", "component", 100],
      ["src/pages/Pricing.tsx", "usage", 30],
      ["src/components/PlanCard.module.css", "style", 20],
    ]);
  });

  it("vue-vite: a single-file component", async () => {
    const { found } = await find(fixture("vue-vite"), { kind: "component", name: "plan-card" });
    expect(found[0]).toMatchObject({ path: "src/components/PlanCard.vue", score: 90 });
  });

  it("a component declared in a file named otherwise, and one in a folder's index", async () => {
    const snapshot = memorySnapshot({
      "package.json": JSON.stringify({ dependencies: { react: "18.0.0", "react-scripts": "5.0.1" } }),
      "src/components/Cards.jsx": "export const TrialBanner = () => null\nexport function Other() {}",
      "src/components/PriceBadge/index.jsx": "export default function PriceBadge() { return null }",
    });
    const banner = await find(snapshot, { kind: "component", name: "TrialBanner" });
    expect(brief(banner.found)).toEqual([["src/components/Cards.jsx", "component", 70]]);
    const badge = await find(snapshot, { kind: "component", name: "PriceBadge" });
    expect(badge.found[0]).toMatchObject({ path: "src/components/PriceBadge/index.jsx", score: 90 });
  });

  it("a name that is only punctuation finds nothing", async () => {
    const { found } = await find(fixture("react-vite"), { kind: "component", name: "../.." });
    expect(found).toEqual([]);
  });
});
