import { findMembership } from "@pushbunny/db";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { type AccessLevel, isRole, roleGrants } from "../access/levels";
import { ForbiddenError, NotFoundError } from "../errors";
import { spendClassBudget } from "../ratelimit/route-limits";
import type { RouteClass } from "../ratelimit/rules";
import { listProjects } from "../services/projects/list-projects";
import { Layout, type LayoutProps } from "./layout";
import type { DashSession } from "./session";
import type { DashEnv, DashProject } from "./types";

/** Raised by a page that needs a signed-in person; index.ts turns it into a redirect to sign-in. */
export class SignInRequired extends Error {}

export function sessionOf(c: Context<DashEnv>): DashSession {
  const session = c.get("session");
  if (!session) throw new SignInRequired();
  return session;
}

const LEVEL_WORDS: Partial<Record<AccessLevel, string>> = {
  read: "view this project",
  write: "change this project's experiments",
  admin: "manage this project's API keys",
};

/**
 * The project named in the path, when the person is a member whose role grants `level`, the
 * same rule the API's auth middleware applies. Another project's id is a 404, as in the API.
 */
export async function projectOf(c: Context<DashEnv>, level: AccessLevel): Promise<DashProject> {
  const session = sessionOf(c);
  const projectId = c.req.param("project") ?? "";
  const membership = projectId ? await findMembership(c.get("ctx").db, projectId, session.userId) : null;
  if (!membership || !isRole(membership.role)) throw new NotFoundError("project not found");
  if (!roleGrants(membership.role, level)) {
    throw new ForbiddenError(
      `your role '${membership.role}' does not allow you to ${LEVEL_WORDS[level] ?? "do this"}`,
    );
  }
  const project = { projectId: membership.projectId, role: membership.role };
  c.set("project", project);
  if (c.req.method === "POST") {
    // A form here is the API's operation by another door: it spends the same class budget, so
    // the project's Limits hold for both (429 page with Retry-After when spent).
    await spendClassBudget(c.get("ctx"), {
      projectId: project.projectId,
      cls: classOfForm(c.req.path),
      userId: session.userId,
      ip: c.req.header("cf-connecting-ip"),
    });
  }
  return project;
}

// The forms whose API operations are billed as `notification`: each sends something outside.
const NOTIFICATION_FORMS =
  /\/push\/(send|test)$|\/email\/campaigns\/[^/]+\/test$|\/settings\/webhooks\/[^/]+\/(test|deliveries\/[^/]+\/retry)$/;

/** The request class of a dashboard form: sends spend `notification`, everything else `management`. */
export function classOfForm(path: string): RouteClass {
  return NOTIFICATION_FORMS.test(path) ? "notification" : "management";
}

/** Renders a page inside the layout with the person's project list for the switcher. */
export async function page(
  c: Context<DashEnv>,
  props: Omit<LayoutProps, "email" | "csrf" | "projects" | "children"> & { children: Child },
  status: 200 | 400 | 403 | 404 | 409 | 429 | 500 = 200,
): Promise<Response> {
  const session = c.get("session");
  let projects: LayoutProps["projects"];
  if (session) {
    const listed = await listProjects({ ctx: c.get("ctx"), input: { userId: session.userId, limit: 100 } });
    projects = listed.projects.map((p) => ({ id: p.id, name: p.name }));
  }
  const html = await (
    <Layout {...props} email={session?.email} csrf={session?.csrf} projects={projects}>
      {props.children}
    </Layout>
  );
  return c.html(`<!doctype html>${html}`, status);
}
