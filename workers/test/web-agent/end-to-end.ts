import { describe, expect, it } from "vitest";
import { call, eventually, json } from "../helpers";
import {
  callWith,
  deliver,
  GITHUB,
  implement,
  pushbunnyBranches,
  ready,
  status,
  stubPost,
  stubRepo,
  withAgent,
} from "./helpers";

describe("the agent, end to end", () => {
  it("implements as a draft PR, activates on merge, serves, finishes and proposes the next test", async () => {
    const { apiKey, inst, key, experimentId } = await ready();
    const e = withAgent();
    const before = await stubRepo(inst.repository);

    const started = await json<{ run_id: string; status_url: string; status: string }>(
      await implement(e, apiKey, key),
      202,
    );
    expect(started.status_url).toBe(`/v1/web-experiments/${key}/status`);
    const queuedStatus = await status(apiKey, key);
    expect(queuedStatus.status).toBe("implementing");
    expect(queuedStatus.run).toMatchObject({ id: started.run_id, status: "queued" });
    // The request never runs the agent: nothing reached GitHub's git data yet.
    expect(pushbunnyBranches((await stubRepo(inst.repository)).branches)).toEqual([]);

    const { result } = await deliver(e, started.run_id);
    expect(result.explicitAcks).toEqual([`m-${started.run_id}-1`]);
    const done = await status(apiKey, key);
    expect(done.status, JSON.stringify(done)).toBe("pr_open");
    const branch = `pushbunny/${key}-${started.run_id.slice(4, 10)}`;
    expect(done.run).toMatchObject({ status: "succeeded", branch, has_diff: true });
    expect(done.log.map((l) => l.phase)).toEqual(
      expect.arrayContaining(["plan", "read", "write", "commit", "done"]),
    );
    expect(JSON.stringify(done.log)).not.toMatch(/ghs_|token/i);

    const repo = await stubRepo(inst.repository);
    expect(repo.branches.main).toBe(before.branches.main);
    expect(pushbunnyBranches(repo.branches)).toEqual([branch]);
    expect(repo.pulls).toEqual([
      expect.objectContaining({ draft: true, head: branch, base: "main", state: "open" }),
    ]);
    const files = await (
      await fetch(
        `${GITHUB}/__stub/repos/${encodeURIComponent(inst.repository)}/files/${encodeURIComponent(branch)}`,
      )
    ).json();
    for (const path of done.run?.files ?? []) expect(Object.keys(files as object)).toContain(path);

    const diff = await call(`/v1/web-experiments/${key}/diff`, { key: apiKey });
    expect(diff.status).toBe(200);
    const diffText = await diff.text();
    expect(diffText).toMatch(/^\+\+\+ b\/src\/app\/\(marketing\)\/pricing\/page\.tsx$/m);
    for (const path of done.run?.files ?? []) expect(diffText).toContain(`+++ b/${path}`);

    // GitHub merges the PR and signs the webhook for the App's installation.
    const delivery = (await stubPost(
      `/__stub/repos/${encodeURIComponent(inst.repository)}/pulls/${repo.pulls[0]?.number}/merge`,
    )) as { body: string; headers: Record<string, string> };
    const hook = await call("/github/webhook", { raw: delivery.body, headers: delivery.headers });
    expect(await json(hook, 200)).toMatchObject({ outcome: "applied" });
    const replay = await call("/github/webhook", { raw: delivery.body, headers: delivery.headers });
    expect(await json(replay, 200)).toMatchObject({ outcome: "duplicate" });
    const active = await json<{ status: string; activated_at: string | null }>(
      await call(`/v1/web-experiments/${key}`, { key: apiKey }),
      200,
    );
    expect(active).toMatchObject({ status: "active" });
    expect(active.activated_at).not.toBeNull();

    // The SDK's runtime calls: exposures and metric events, counted in the results.
    const tokens: { segment: string; tracking_token: string }[] = [];
    for (let i = 0; i < 40; i++) {
      tokens.push(
        await json(
          await call("/v1/web/exposures", {
            key: apiKey,
            body: { experiment: key, anonymous_id: `anon-${i}` },
          }),
          200,
        ),
      );
    }
    const events = tokens
      .filter((_, i) => i % 3 === 0)
      .map((t) => ({ tracking_token: t.tracking_token, event: "signup", timestamp: Date.now() }));
    const recorded = await json<{ recorded: number }>(
      await call("/v1/web/events", { key: apiKey, body: { events } }),
      200,
    );
    expect(recorded.recorded).toBe(events.length);
    await eventually(async () => {
      const results = await json<{ segments: { exposures: number; primary: { conversions: number } }[] }>(
        await call(`/v1/web-experiments/${key}/results`, { key: apiKey }),
        200,
      );
      expect(results.segments.reduce((n, s) => n + s.exposures, 0)).toBe(40);
      expect(results.segments.reduce((n, s) => n + s.primary.conversions, 0)).toBe(events.length);
    });

    const finished = await json<{ experiment: { status: string }; analysis: { experiment_id?: string } }>(
      await call(`/v1/web-experiments/${key}/finish`, { key: apiKey, body: {} }),
      200,
    );
    expect(finished.experiment.status).toBe("finished");
    const proposal = await callWith(e, `/v1/experiments/${experimentId}/iterate`, { key: apiKey, body: {} });
    expect(proposal.status, await proposal.clone().text()).toBe(201);
  });
});
