import type { Context, Hono } from "hono";
import { AppError } from "../../errors";
import { createProject } from "../../services/projects/create-project";
import { listProjects } from "../../services/projects/list-projects";
import { page, sessionOf } from "../context";
import { Csrf } from "../layout";
import type { DashEnv } from "../types";

const PROJECT_ID = /^prj_[A-Za-z0-9_-]{1,64}$/;

function NewProject(p: { csrf: string; error?: string; name?: string; first: boolean }) {
  return (
    <section class="panel narrow" aria-labelledby="new-project-title">
      <h1 id="new-project-title">{p.first ? "Create your first project" : "New project"}</h1>
      <p class="muted">A project holds your experiments, API keys and push settings. You become its owner.</p>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form class="stack" method="post" action="/app/projects">
        <Csrf token={p.csrf} />
        <label>
          Project name
          <input name="name" required maxlength={100} value={p.name ?? ""} />
        </label>
        <label>
          Default locale
          <input name="default_locale" value="en-US" required maxlength={35} />
        </label>
        <button type="submit">Create project</button>
      </form>
    </section>
  );
}

async function showNewProject(
  c: Context<DashEnv>,
  extra: { error?: string; name?: string },
  status: 200 | 400 | 409,
) {
  const session = sessionOf(c);
  const listed = await listProjects({ ctx: c.get("ctx"), input: { userId: session.userId, limit: 1 } });
  return page(
    c,
    {
      title: "New project",
      current: "new-project",
      children: <NewProject csrf={session.csrf} first={listed.projects.length === 0} {...extra} />,
    },
    status,
  );
}

export function registerProjectPages(dash: Hono<DashEnv>): void {
  // The front door: a person's newest project, or the form for their first.
  dash.get("/", async (c) => {
    const session = sessionOf(c);
    const listed = await listProjects({ ctx: c.get("ctx"), input: { userId: session.userId, limit: 1 } });
    const first = listed.projects[0];
    return c.redirect(first ? `/app/p/${first.id}` : "/app/projects/new", 303);
  });

  // The switcher is a plain GET form, so it works without script and from the keyboard.
  dash.get("/switch", (c) => {
    sessionOf(c);
    const id = c.req.query("project_id") ?? "";
    return c.redirect(PROJECT_ID.test(id) ? `/app/p/${id}` : "/app", 303);
  });

  dash.get("/projects/new", (c) => showNewProject(c, {}, 200));

  dash.post("/projects", async (c) => {
    const session = sessionOf(c);
    const form = await c.req.parseBody();
    const name = typeof form.name === "string" ? form.name : "";
    const locale =
      typeof form.default_locale === "string" && form.default_locale ? form.default_locale : undefined;
    try {
      const project = await createProject({
        ctx: c.get("ctx"),
        input: { userId: session.userId, name, defaultLocale: locale },
      });
      return c.redirect(`/app/p/${project.id}`, 303);
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
        const message = err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || err.message;
        return showNewProject(c, { error: message, name }, err.status);
      }
      throw err;
    }
  });
}
