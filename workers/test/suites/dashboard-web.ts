import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { escaped, get, pageOf, post, signedIn } from "../dashboard-helpers";
import { call, json, seedProject } from "../helpers";

// The web experiments pages: the list, one experiment with its preview links, results and
// forms; the forms call the API's services (activate, finish with its confirm box) and a
// viewer sees no forms and is refused a POST.

async function setUp(key: string) {
  const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
  await json(
    await call("/v1/web-experiments", {
      key: apiKey,
      body: {
        key,
        hypothesis: "A <bolder> headline sells more",
        target_type: "component",
        target: "PricingHero",
        segments: [
          { key: "control", name: "Today", traffic_percent: 50, description: "as it is" },
          { key: "bold", name: "Bold headline", traffic_percent: 50, description: "a louder headline" },
        ],
        primary_metric: "checkout",
        secondary_metrics: ["add_to_cart"],
        preview_url: "https://staging.example.com/pricing",
      },
    }),
    201,
  );
  const member = await signedIn(projectId, "member");
  const viewer = await signedIn(projectId, "viewer");
  return { projectId, apiKey, member, viewer, path: `/app/p/${projectId}/web/${key}` };
}

const statusOf = async (projectId: string, key: string) =>
  (
    await env.DB.prepare("SELECT status FROM web_experiments WHERE project_id = ? AND key = ?")
      .bind(projectId, key)
      .first<{ status: string }>()
  )?.status;

describe("dashboard: web experiments", () => {
  it("lists them, shows one with escaped text and preview links, and activates then finishes it", async () => {
    const s = await setUp("hero-test");
    const list = await pageOf(`/app/p/${s.projectId}/web`, s.member.jar);
    expect(list.html).toContain(`href="/app/p/${s.projectId}/web/hero-test"`);
    expect(list.html).toContain("control 50% · bold 50%");

    const one = await pageOf(s.path, s.member.jar);
    expect(one.html).toContain(escaped("A <bolder> headline sells more"));
    expect(one.html).not.toContain("<bolder>");
    expect(one.html).toContain('href="https://staging.example.com/pricing#seg-bold"');
    expect(one.html).toContain("No exposures yet.");
    expect(one.html).toContain(`action="${s.path}/activate"`);

    const activated = await post(`${s.path}/activate`, s.member.jar, { _csrf: one.csrf });
    expect(activated.status).toBe(303);
    expect(await statusOf(s.projectId, "hero-test")).toBe("active");

    // Without the box ticked, finishing asks first and changes nothing.
    const active = await pageOf(s.path, s.member.jar);
    const asked = await post(`${s.path}/finish`, s.member.jar, { _csrf: active.csrf });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain("Finish the experiment?");
    expect(await statusOf(s.projectId, "hero-test")).toBe("active");
    const finished = await post(`${s.path}/finish`, s.member.jar, { _csrf: active.csrf, confirm: "yes" });
    expect(finished.status).toBe(303);
    expect(await statusOf(s.projectId, "hero-test")).toBe("finished");
  });

  it("a viewer sees no forms and is refused a POST; another project's experiment is a 404", async () => {
    const s = await setUp("viewer-test");
    const seen = await pageOf(s.path, s.viewer.jar);
    expect(seen.html).not.toContain(`action="${s.path}/activate"`);
    const refused = await post(`${s.path}/activate`, s.viewer.jar, { _csrf: seen.csrf });
    expect(refused.status).toBe(403);
    expect(await statusOf(s.projectId, "viewer-test")).toBe("draft");

    const other = await seedProject();
    const foreign = await get(`/app/p/${other.projectId}/web/viewer-test`, s.member.jar);
    expect(foreign.status).toBe(404);
    const wrongOrigin = await post(
      `${s.path}/activate`,
      s.member.jar,
      { _csrf: seen.csrf },
      { origin: "https://evil.example" },
    );
    expect(wrongOrigin.status).toBe(403);
    expect(await statusOf(s.projectId, "viewer-test")).toBe("draft");
  });
});
