import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/infra/build-context";
import { activateWebExperiment } from "../../src/services/web-experiments/activate-web-experiment";
import { failWebExperiment } from "../../src/services/web-experiments/fail-web-experiment";
import { markImplementing } from "../../src/services/web-experiments/mark-implementing";
import { markPrOpen } from "../../src/services/web-experiments/mark-pr-open";
import { call, json, seedProject } from "../helpers";
import { create } from "./helpers";

describe("web experiments: the agent's transitions", () => {
  it("implementing → pr_open → failed → implementing, each guarded; the status shows the reason", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "agent");
    const ctx = buildContext(env, () => {});
    const actor = "github";
    await expect(
      markPrOpen({
        ctx,
        projectId,
        actor,
        input: { key: "agent", branch: "b", pullNumber: 1, pullUrl: "u" },
      }),
    ).rejects.toThrow("web experiment 'agent' is draft: it can become pr_open only from implementing");
    expect((await markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).status).toBe(
      "implementing",
    );
    await expect(markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).rejects.toThrow(
      /is implementing: it can become implementing only from draft or failed/,
    );
    const open = await markPrOpen({
      ctx,
      projectId,
      actor,
      input: {
        experimentId: made.experiment_id,
        branch: "pushbunny/agent-abc123",
        pullNumber: 7,
        pullUrl: "https://github.com/acme/web/pull/7",
      },
    });
    expect(open).toMatchObject({ status: "pr_open", branch: "pushbunny/agent-abc123", pullNumber: 7 });
    await failWebExperiment({
      ctx,
      projectId,
      actor,
      input: { key: "agent", reason: "pull request #7 was closed without merging" },
    });
    const status = await json<{ status: string; reason: string }>(
      await call("/v1/web-experiments/agent/status", { key: apiKey }),
      200,
    );
    expect(status).toMatchObject({ status: "failed", reason: "pull request #7 was closed without merging" });
    await expect(
      failWebExperiment({ ctx, projectId, actor, input: { key: "agent", reason: "again" } }),
    ).rejects.toThrow(/is failed: it can become failed only from implementing or pr_open/);
    expect((await markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).branch).toBeNull();
    await markPrOpen({
      ctx,
      projectId,
      actor,
      input: { key: "agent", branch: "b2", pullNumber: 8, pullUrl: "u2" },
    });
    const merged = await activateWebExperiment({ ctx, projectId, actor, input: { key: "agent" } });
    expect(merged.status).toBe("active");
    await expect(markImplementing({ ctx, projectId, actor, input: { key: "missing" } })).rejects.toThrow(
      "web experiment 'missing' not found",
    );
  });
});
