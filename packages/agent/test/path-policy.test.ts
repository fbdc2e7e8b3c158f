import { describe, expect, it } from "vitest";
import {
  checkReadPath,
  checkWritePath,
  DEFAULT_WRITE_POLICY,
  detectFramework,
  memorySnapshot,
  type RefusalCode,
} from "../src";
import { fixture } from "./fixtures";

// The next-app fixture: code under src/ (app router in src/app, components in src/components).
const nextApp = await detectFramework(fixture("next-app"));

const allowed: [string, string][] = [
  ["src/components/pricing-table-b.tsx", "src/components/pricing-table-b.tsx"],
  ["./src/components/pricing-table-b.tsx", "src/components/pricing-table-b.tsx"],
  ["src/app/(marketing)/pricing/segment-b.tsx", "src/app/(marketing)/pricing/segment-b.tsx"],
  ["src/app/blog/[slug]/variant.tsx", "src/app/blog/[slug]/variant.tsx"],
  ["src/app/@modal/offer.tsx", "src/app/@modal/offer.tsx"],
  ["src/components/pricing.module.css", "src/components/pricing.module.css"],
  ["src/lib/environment.ts", "src/lib/environment.ts"],
  ["src/data/plans.json", "src/data/plans.json"],
];

const refused: [string, RefusalCode][] = [
  // Spellings of the workflows folder.
  [".github/workflows/ci.yml", "hidden_path"],
  ["./.github/workflows/ci.yml", "hidden_path"],
  [".GITHUB/workflows/ci.yml", "hidden_path"],
  ["src/.GitHub/workflows/ci.yml", "hidden_path"],
  ["src/../.github/workflows/ci.yml", "invalid_path"],
  ["src/./components/x.tsx", "invalid_path"],
  ["../outside/x.tsx", "invalid_path"],
  ["%2e%2e/.github/workflows/ci.yml", "invalid_path"],
  ["src/%2e%2e/.github/workflows/ci.yml", "invalid_path"],
  ["src/%252e%252e/x.tsx", "invalid_path"],
  ["src\\..\\.github\\workflows\\ci.yml", "invalid_path"],
  ["/src/components/x.tsx", "invalid_path"],
  ["C:/repo/src/x.tsx", "invalid_path"],
  // Unicode lookalikes are taken literally, and only ASCII names are accepted.
  [".\u0261ithub/workflows/ci.yml", "invalid_path"],
  ["src/\uff0e\uff0e/.github/ci.yml", "invalid_path"],
  ["src/\u2024\u2024/x.tsx", "invalid_path"],
  ["src/components/\u202ex.tsx", "invalid_path"],
  ["src/components/x.tsx\u0000.png", "invalid_path"],
  ["src/components/Ｘ.tsx", "invalid_path"],
  // Names Windows or macOS would read as another file.
  ["src/components/x.tsx.", "invalid_path"],
  ["src/GITHUB~1/ci.yml", "invalid_path"],
  ["src/components/x.tsx:stream", "invalid_path"],
  ["src/my components/x.tsx", "invalid_path"],
  ["src//components/x.tsx", "invalid_path"],
  ["src/components/x.tsx/", "invalid_path"],
  ["", "invalid_path"],
  [`src/${"a".repeat(200)}.tsx`, "invalid_path"],
  // Secrets and environment files.
  [".env", "hidden_path"],
  [".env.local", "hidden_path"],
  ["src/.env.production", "hidden_path"],
  ["src/config/env.local.ts", "secret"],
  ["src/certs/server.pem", "secret"],
  ["src/lib/signing.KEY", "secret"],
  ["src/keys/app.ts", "secret"],
  ["src/secrets.json", "secret"],
  ["src/lib/aws-credentials.ts", "secret"],
  ["src/id_rsa", "secret"],
  // Lockfiles, manifests and configuration, wherever they are and however they are cased.
  ["pnpm-lock.yaml", "lockfile"],
  ["src/yarn.lock", "lockfile"],
  ["Package-Lock.json", "lockfile"],
  ["package.json", "config"],
  ["PACKAGE.JSON", "config"],
  ["src/package.json", "config"],
  ["tsconfig.json", "config"],
  ["src/tsconfig.app.json", "config"],
  ["next.config.mjs", "config"],
  ["src/tailwind.config.ts", "config"],
  ["src/vite.config.ts", "config"],
  ["Dockerfile", "config"],
  ["Jenkinsfile", "config"],
  ["src/vercel.json", "config"],
  ["azure-pipelines.yml", "file_type"],
  [".gitlab-ci.yml", "hidden_path"],
  // Installed, built and static files.
  ["node_modules/react/index.js", "generated"],
  ["src/node_modules/x.js", "generated"],
  ["dist/index.js", "generated"],
  ["public/index.html", "generated"],
  // Server code.
  ["src/pages/api/checkout.ts", "server_code"],
  ["src/middleware.ts", "server_code"],
  ["src/app/api/orders/route.ts", "server_code"],
  ["src/app/api/orders/route.tsx", "server_code"],
  ["src/app/api/orders/route.jsx", "server_code"],
  ["src/app/api/orders/route.mts", "server_code"],
  ["src/app/feed/Route.JS", "server_code"],
  ["src/instrumentation.ts", "server_code"],
  ["src/instrumentation-client.ts", "server_code"],
  ["src/middleware.mjs", "server_code"],
  ["src/app/opengraph-image.tsx", "server_code"],
  ["src/app/blog/[slug]/twitter-image.jsx", "server_code"],
  ["src/app/sitemap.ts", "server_code"],
  ["src/app/robots.js", "server_code"],
  // Tests, mocks, stories and test or dev-server setup.
  ["src/components/pricing.test.tsx", "test_code"],
  ["src/components/pricing.spec.ts", "test_code"],
  ["src/components/Pricing.Test.JSX", "test_code"],
  ["src/components/__tests__/pricing.tsx", "test_code"],
  ["src/__mocks__/next/navigation.ts", "test_code"],
  ["src/setupTests.ts", "test_code"],
  ["src/setupProxy.js", "test_code"],
  ["src/components/pricing.stories.tsx", "test_code"],
  // Not source.
  ["src/deploy.sh", "file_type"],
  ["src/index.html", "file_type"],
  ["README.md", "file_type"],
  // Outside the app's source folders; allowed folders must match exactly.
  ["SRC/components/x.tsx", "outside_source"],
  ["Src/components/x.tsx", "outside_source"],
  ["components/x.tsx", "outside_source"],
  ["scripts/seed.ts", "outside_source"],
  ["srcx/components/x.tsx", "outside_source"],
];

describe("checkWritePath", () => {
  it.each(allowed)("allows %j", (path, normalised) => {
    expect(checkWritePath(path, nextApp)).toEqual({ ok: true, path: normalised });
  });

  it.each(refused)("refuses %j (%s)", (path, code) => {
    const result = checkWritePath(path, nextApp);
    expect(result).toMatchObject({ ok: false, refused: true, code });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
  });

  it('refuses content that starts with "use server", after comments and whitespace', () => {
    for (const content of [
      '"use server";\nexport async function pay() {}\n',
      "'use server'\n",
      '\uFEFF// actions\n/* more */\n\n  "use server";\n',
    ]) {
      expect(checkWritePath("src/components/actions.ts", nextApp, content), content).toMatchObject({
        code: "server_code",
      });
    }
    for (const content of [
      '"use client";\nexport function A() {}\n',
      'export async function pay() {\n  "use server";\n}\n',
      "// use server\nexport const x = 1;\n",
    ]) {
      expect(checkWritePath("src/components/actions.ts", nextApp, content).ok, content).toBe(true);
    }
  });

  it("names the allowed folders in its reason, so the LLM can correct itself", () => {
    expect(checkWritePath("lib/x.ts", nextApp)).toEqual({
      ok: false,
      refused: true,
      code: "outside_source",
      reason: "Write only inside the app's source folders: src/.",
    });
  });

  it("caps the size in UTF-8 bytes", () => {
    const limit = DEFAULT_WRITE_POLICY.maxFileBytes;
    expect(checkWritePath("src/a.tsx", nextApp, "a".repeat(limit)).ok).toBe(true);
    expect(checkWritePath("src/a.tsx", nextApp, "a".repeat(limit + 1))).toMatchObject({ code: "too_large" });
    expect(checkWritePath("src/a.tsx", nextApp, "é".repeat(limit / 2 + 1))).toMatchObject({
      code: "too_large",
    });
    expect(
      checkWritePath("src/a.tsx", nextApp, "x".repeat(11), { maxFileBytes: 10, maxPathLength: 200 }),
    ).toMatchObject({ code: "too_large" });
  });

  it("a Next.js app without src/ may write in app/, pages/ and components/ but not beside them", async () => {
    const detection = await detectFramework(fixture("next-pages"));
    expect(checkWritePath("pages/pricing-b.tsx", detection).ok).toBe(true);
    expect(checkWritePath("components/PriceListB.tsx", detection).ok).toBe(true);
    expect(checkWritePath("styles/PricingB.module.css", detection).ok).toBe(true);
    expect(checkWritePath("app/page.tsx", detection)).toMatchObject({ code: "outside_source" });
    expect(checkWritePath("next.config.js", detection)).toMatchObject({ code: "config" });
    expect(checkWritePath("pages/api/hello.ts", detection)).toMatchObject({ code: "server_code" });
  });

  it("in a monorepo only the chosen app's folders are open", async () => {
    const detection = await detectFramework(fixture("monorepo"));
    expect(checkWritePath("apps/web/app/pricing/segment-b.tsx", detection).ok).toBe(true);
    expect(checkWritePath("packages/ui/src/button.tsx", detection)).toMatchObject({ code: "outside_source" });
    expect(checkWritePath("apps/web/package.json", detection)).toMatchObject({ code: "config" });
    expect(checkWritePath("turbo.json", detection)).toMatchObject({ code: "config" });
  });

  it("an empty repository has nowhere to write", async () => {
    const detection = await detectFramework(memorySnapshot({}));
    expect(checkWritePath("src/App.tsx", detection)).toEqual({
      ok: false,
      refused: true,
      code: "outside_source",
      reason: "No source folder was detected.",
    });
  });
});

describe("checkReadPath", () => {
  it.each([
    [".env", "hidden_path"],
    [".env.local", "hidden_path"],
    ["src/.env.production", "hidden_path"],
    [".npmrc", "hidden_path"],
    [".github/workflows/deploy.yml", "hidden_path"],
    ["src/config/env.local.ts", "secret"],
    ["src/certs/server.pem", "secret"],
    ["deploy/signing.key", "secret"],
    ["src/id_ed25519", "secret"],
    ["src/secrets.json", "secret"],
    ["src/lib/aws-credentials.ts", "secret"],
    ["src/../.env", "invalid_path"],
    ["/etc/passwd", "invalid_path"],
  ] as [string, RefusalCode][])("refuses %j (%s)", (path, code) => {
    expect(checkReadPath(path)).toMatchObject({ ok: false, code });
  });

  it("reads source, manifests and lockfiles under the cap, and refuses bigger files", () => {
    const limit = DEFAULT_WRITE_POLICY.maxFileBytes;
    expect(checkReadPath("./src/app/page.tsx", 10)).toEqual({ ok: true, path: "src/app/page.tsx" });
    expect(checkReadPath("package.json")).toEqual({ ok: true, path: "package.json" });
    expect(checkReadPath("src/app/page.tsx", limit).ok).toBe(true);
    expect(checkReadPath("src/app/page.tsx", limit + 1)).toMatchObject({ ok: false, code: "too_large" });
  });
});
