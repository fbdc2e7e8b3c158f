import type { Child } from "hono/jsx";
import { OWN_ASSETS, vendorUrl } from "./assets";
import { CSRF_FIELD } from "./session";

export interface ProjectChoice {
  id: string;
  name: string;
}

export interface LayoutProps {
  title: string;
  /** The signed-in person's email; absent on the sign-in and sign-up pages. */
  email?: string;
  csrf?: string;
  projectId?: string;
  projects?: ProjectChoice[];
  current?: "home" | "experiments" | "web" | "push" | "ads" | "email" | "settings" | "new-project";
  /** Loads uPlot: only pages with charts pay for it. */
  charts?: boolean;
  children?: Child;
}

/** htmx without eval and without the inline <style> it would add (the CSP forbids both). */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
});

/** The hidden field every form carries (see csrf middleware in index.ts). */
export const Csrf = ({ token }: { token: string | undefined }) =>
  token ? <input type="hidden" name={CSRF_FIELD} value={token} /> : null;

/** A table that may scroll sideways on a phone: focusable, so the keyboard can scroll it too. */
export const ScrollBox = (p: { label: string; children: Child }) => (
  <section class="table-wrap" tabindex={0} aria-label={p.label}>
    {p.children}
  </section>
);

const NavLink = (props: { href: string; active: boolean; children: Child }) => (
  <a href={props.href} aria-current={props.active ? "page" : undefined}>
    {props.children}
  </a>
);

export function Layout(props: LayoutProps) {
  const p = props.projectId;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · PushBunny`}</title>
        <link rel="stylesheet" href={OWN_ASSETS.css.path} />
        {props.charts ? <link rel="stylesheet" href={vendorUrl("uplot", "uPlot.min.css")} /> : null}
        <script src={vendorUrl("htmx.org", "htmx.min.js")} defer />
        {props.charts ? <script src={vendorUrl("uplot", "uPlot.iife.min.js")} defer /> : null}
        <script src={OWN_ASSETS.js.path} defer />
      </head>
      <body hx-headers={props.csrf ? JSON.stringify({ "X-CSRF-Token": props.csrf }) : undefined}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href={p ? `/app/p/${p}` : "/app"}>
            PushBunny
          </a>
          {p ? (
            <nav aria-label="Project">
              <ul>
                <li>
                  <NavLink href={`/app/p/${p}`} active={props.current === "home"}>
                    Home
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/experiments`} active={props.current === "experiments"}>
                    Experiments
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/web`} active={props.current === "web"}>
                    Web
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/push`} active={props.current === "push"}>
                    Push
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/ads`} active={props.current === "ads"}>
                    Ad channels
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/email`} active={props.current === "email"}>
                    Email
                  </NavLink>
                </li>
                <li>
                  <NavLink href={`/app/p/${p}/settings`} active={props.current === "settings"}>
                    Settings
                  </NavLink>
                </li>
              </ul>
            </nav>
          ) : null}
          <span class="spacer" />
          {props.email && props.projects ? (
            <form method="get" action="/app/switch">
              <label for="project-switcher">Project</label>
              <select id="project-switcher" name="project_id">
                {props.projects.map((x) => (
                  <option value={x.id} selected={x.id === p}>
                    {x.name}
                  </option>
                ))}
              </select>
              <button type="submit" class="secondary">
                Open
              </button>
              <a href="/app/projects/new" aria-current={props.current === "new-project" ? "page" : undefined}>
                New project
              </a>
            </form>
          ) : null}
          {props.email ? (
            <form method="post" action="/app/sign-out">
              <Csrf token={props.csrf} />
              <span class="hide-narrow">{props.email}</span>
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}
