import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { AppError } from "../../errors";
import { LIMIT_NAMES, type LimitName, QUOTAS } from "../../ratelimit/rules";
import { getLimits } from "../../services/limits/get-limits";
import { updateLimits } from "../../services/limits/update-limits";
import { page, projectOf, sessionOf } from "../context";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { SettingsNav } from "./settings-nav";

/** The API schema's bound on one value (routes/limits/schemas.ts). */
const VALUE_MAX = 40;

const isQuota = (n: LimitName) => (QUOTAS as readonly string[]).includes(n);

interface LimitsExtra {
  /** What the person typed, kept when the service refuses it. */
  values?: Partial<Record<LimitName, string>>;
  /** The service's message per field. */
  issues?: Map<string, string>;
  error?: string;
  saved?: boolean;
}

async function showLimits(c: Context<DashEnv>, extra: LimitsExtra, status: 200 | 400 = 200) {
  const session = sessionOf(c);
  const me = await projectOf(c, "read");
  const { projectId } = me;
  const limits = await getLimits({ ctx: c.get("ctx"), projectId });
  const editable = roleGrants(me.role, "admin");
  const shownValue = (n: LimitName) => extra.values?.[n] ?? limits.overrides[n] ?? "";
  const table = (
    <ScrollBox label="Limits table">
      <table>
        <thead>
          <tr>
            <th scope="col">Limit</th>
            <th scope="col">Counted</th>
            <th scope="col">Applies now</th>
            <th scope="col">{editable ? "Project's value (empty: the default)" : "Project's value"}</th>
            <th scope="col" class="hide-narrow">
              Default
            </th>
            <th scope="col" class="hide-narrow">
              Most allowed
            </th>
          </tr>
        </thead>
        <tbody>
          {LIMIT_NAMES.map((n) => {
            const issue = extra.issues?.get(n);
            return (
              <tr>
                <th scope="row">{n}</th>
                <td>{isQuota(n) ? "per project" : "per key or person, and per address"}</td>
                <td>{limits.limits[n]}</td>
                <td>
                  {editable ? (
                    <>
                      <input
                        name={n}
                        value={shownValue(n)}
                        maxlength={VALUE_MAX}
                        placeholder={limits.defaults[n]}
                        aria-label={`${n} limit`}
                        aria-invalid={issue ? "true" : undefined}
                        aria-describedby={issue ? `limit-${n}-error` : undefined}
                      />
                      {issue ? (
                        <p class="error" id={`limit-${n}-error`}>
                          {issue}
                        </p>
                      ) : null}
                    </>
                  ) : (
                    (limits.overrides[n] ?? <span class="muted">default</span>)
                  )}
                </td>
                <td class="hide-narrow">{limits.defaults[n]}</td>
                <td class="hide-narrow">{limits.maximums[n]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollBox>
  );
  return page(
    c,
    {
      title: "Limits",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={me.role} current="limits" />
          <h1>Limits</h1>
          <p class="muted">
            Rate limits per request class and quotas on paid work. Each value is N/second, N/minute, N/hour or
            N/day. Request classes may be raised up to the most allowed; quotas only lowered, within the
            default's window. A change applies at once here and within about two minutes everywhere.
          </p>
          {extra.saved ? (
            <p class="panel notice" role="status">
              Limits saved.
            </p>
          ) : null}
          {extra.error ? (
            <p class="error panel" role="alert" id="limits-error">
              {extra.error}
            </p>
          ) : null}
          {editable ? (
            <form method="post" action={`/app/p/${projectId}/settings/limits`}>
              <Csrf token={session.csrf} />
              {table}
              <p>
                <button type="submit">Save limits</button>
              </p>
            </form>
          ) : (
            table
          )}
        </>
      ),
    },
    status,
  );
}

export function registerLimitsPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/settings/limits", (c) => showLimits(c, { saved: c.req.query("saved") === "1" }));

  dash.post("/p/:project/settings/limits", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "admin");
    const form = await c.req.parseBody();
    // The PUT's body: every name the form carries, an empty field meaning the deployment's value.
    const values: Partial<Record<LimitName, string>> = {};
    const input: Record<string, string | null> = {};
    for (const n of LIMIT_NAMES) {
      const raw = typeof form[n] === "string" ? form[n].trim() : "";
      values[n] = raw;
      input[n] = raw === "" ? null : raw.slice(0, VALUE_MAX);
    }
    try {
      await updateLimits({ ctx: c.get("ctx"), projectId, actor: `user:${session.userId}`, input });
    } catch (err) {
      if (err instanceof AppError && err.status === 400) {
        const issues = new Map(err.issues.map((i) => [i.path, i.message]));
        const error =
          issues.size > 0
            ? `Nothing was saved: ${issues.size === 1 ? "one value needs" : `${issues.size} values need`} fixing.`
            : err.message;
        return showLimits(c, { values, issues, error }, 400);
      }
      throw err;
    }
    return c.redirect(`/app/p/${projectId}/settings/limits?saved=1`, 303);
  });
}
