import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** The fake push service (workers/test-support/fake-push-service.ts). */
      FAKE_PUSH_URL: string;
      /** The scripted Gemini stub (workers/test-gemini/stub-server.ts), for tests that give the Worker an LLM. */
      GEMINI_STUB_URL: string;
    }
    // Types `exports` from cloudflare:workers after the Worker's main module.
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "RoundRobinCounter";
    }
  }
}
