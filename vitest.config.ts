import { cloudflareTest, type D1Migration, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startScenarioStub } from "./workers/test-gemini/stub-server";
import { startAdsStub } from "./workers/test-support/ads-stub-server";
import { startFakePushService } from "./workers/test-support/fake-push-service";
import { type GitHubStub, startGitHubStub } from "./workers/test-support/github-stub-server";
import { startOidcStub } from "./workers/test-support/oidc-stub-server";
import { startResendStub } from "./workers/test-support/resend-stub-server";
import { startWebhookReceiver } from "./workers/test-support/webhook-receiver";

// Two projects: pure packages run in plain Node (fast, no runtime), the Worker runs in
// workerd with local D1, KV, Queues and Durable Objects from wrangler.toml.
const workerBindings = (
  migrations: D1Migration[],
  adsBaseUrl: string,
  pushBaseUrl: string,
  oidcIssuer: string,
  resendBaseUrl: string,
  webhookReceiverUrl: string,
) => ({
  ENVIRONMENT: "test",
  LOG_LEVEL: "error",
  TRACKING_SECRET: "test-tracking-secret-0123456789",
  API_KEYS: "pb_bootstrap_test_key",
  CORS_ORIGINS: "https://app.example.com",
  TEST_MIGRATIONS: migrations,
  // The Meta connector's real client talks to a local Graph API stand-in.
  META_API_BASE_URL: adsBaseUrl,
  // A push service that decrypts with its own RFC 8291 code and checks the VAPID JWT; tests
  // script its answers through its control API.
  FAKE_PUSH_URL: pushBaseUrl,
  METRICS_TOKEN: "test-metrics-token-0123456789",
  AUTH_SECRET: "test-auth-secret-0123456789-0123456789",
  // Google sign-in runs the real OIDC flow against a local identity provider (RS256, JWKS).
  GOOGLE_CLIENT_ID: "pushbunny-test-client",
  GOOGLE_CLIENT_SECRET: "pushbunny-test-secret",
  GOOGLE_ISSUER: oidcIssuer,
  // Campaign mail: the outbox by default (no RESEND_API_KEY); tests that give a key reach a local
  // Resend stand-in that records calls and plays 429/5xx on command.
  RESEND_BASE_URL: resendBaseUrl,
  // Outbound webhooks go to a local receiver that checks signatures with the standardwebhooks package.
  WEBHOOK_RECEIVER_URL: webhookReceiverUrl,
  // Deployment-wide limits far above any test's traffic (the fuzz test alone sends ~9,300
  // requests with one key); tests of the limits set low ones on their own project through
  // PUT /v1/projects/{id}/limits. The binding's flood ceilings (wrangler.toml) stay as deployed.
  RATE_LIMIT_MESSAGE: "1000000/minute",
  RATE_LIMIT_EVENTS: "1000000/minute",
  RATE_LIMIT_SUBSCRIPTION: "1000000/minute",
  RATE_LIMIT_ANALYTICS: "1000000/minute",
  RATE_LIMIT_MANAGEMENT: "1000000/minute",
  RATE_LIMIT_NOTIFICATION: "1000000/hour",
  RATE_LIMIT_AUTH: "1000000/hour",
  RATE_LIMIT_GENERATION: "1000000/hour",
  RATE_LIMIT_ANALYSIS: "1000000/hour",
});

// The deployment's GitHub App, pointed at a local GitHub stand-in (API and web on one server) that
// checks the App's RS256 JWT against its own key pair; tests seed installations and failures
// through its /__stub/ control routes. GEMINI_STUB_URL lets the agent's tests give the Worker an
// LLM (an env override) while every other workers test runs without one.
const githubBindings = (github: GitHubStub, geminiBaseUrl: string) => ({
  GITHUB_APP_ID: github.appId,
  GITHUB_APP_SLUG: github.slug,
  GITHUB_APP_PRIVATE_KEY: github.privateKeyPem,
  GITHUB_CLIENT_ID: github.clientId,
  GITHUB_CLIENT_SECRET: github.clientSecret,
  GITHUB_WEBHOOK_SECRET: github.webhookSecret,
  GITHUB_API_URL: github.url,
  GITHUB_WEB_URL: github.url,
  GEMINI_STUB_URL: geminiBaseUrl,
});

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // A local server speaking Gemini's REST protocol; the Worker reaches it through the real
  // @google/genai client. It lives as long as the test run.
  const gemini = await startScenarioStub();
  const ads = await startAdsStub();
  const push = await startFakePushService();
  const oidc = await startOidcStub();
  const resend = await startResendStub();
  const hooks = await startWebhookReceiver();
  const github = await startGitHubStub();
  return {
    test: {
      // Two files at a time even on CI's 2 cores: each workerd file spends ~4 s starting its
      // runtime, mostly waiting, so two side by side took the suite from ~770 s to ~575 s.
      maxWorkers: 2,
      projects: [
        {
          test: {
            name: "packages",
            environment: "node",
            include: ["packages/*/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...workerBindings(
                    migrations,
                    ads.baseUrl,
                    push.baseUrl,
                    oidc.issuer,
                    resend.baseUrl,
                    hooks.baseUrl,
                  ),
                  ...githubBindings(github, gemini.baseUrl),
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["workers/test/**/*.test.ts"],
            setupFiles: ["./workers/test/setup.ts"],
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...workerBindings(
                    migrations,
                    ads.baseUrl,
                    push.baseUrl,
                    oidc.issuer,
                    resend.baseUrl,
                    hooks.baseUrl,
                  ),
                  ...githubBindings(github, gemini.baseUrl),
                  GEMINI_API_KEY: "test-gemini-key",
                  GEMINI_BASE_URL: gemini.baseUrl,
                  GEMINI_MODEL: "gemini-test",
                  LLM_TIMEOUT_MS: "1000",
                },
              },
            }),
          ],
          test: {
            name: "workers-gemini",
            include: ["workers/test-gemini/**/*.test.ts"],
            setupFiles: ["./workers/test/setup.ts"],
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});
