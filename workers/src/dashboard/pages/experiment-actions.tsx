import { type ExperimentRow, STRATEGIES, type Strategy, type VariantRow } from "@pushbunny/db";
import { MAX_VARIANT_LENGTH } from "@pushbunny/llm";
import type { Context, Hono } from "hono";
import { BadRequestError } from "../../errors";
import { addManualVariant } from "../../services/experiments/add-variant";
import { clearWinner } from "../../services/experiments/clear-winner";
import { mustFind, mustVariant } from "../../services/experiments/lookup";
import { updateExperiment } from "../../services/experiments/update-experiment";
import { page, projectOf, sessionOf } from "../context";
import { STRATEGY_LABEL } from "../format";
import { Csrf } from "../layout";
import type { DashEnv } from "../types";

/** The box a destructive form needs ticked: the browser holds the submit without it, the route checks again. */
export const CONFIRM_FIELD = "confirm";

export function ConfirmBox(p: { what: string }) {
  return (
    <label class="check">
      <input type="checkbox" name={CONFIRM_FIELD} value="yes" required />I understand: {p.what}
    </label>
  );
}

/** True when the form carries the ticked box. */
export async function confirmed(c: Context<DashEnv>): Promise<boolean> {
  const form = await c.req.parseBody();
  return form[CONFIRM_FIELD] === "yes";
}

/**
 * The confirm step of a destructive action, as a page of its own: reached from a link (retire),
 * or when a form arrives without its box ticked. Works without JavaScript.
 */
export function confirmPage(
  c: Context<DashEnv>,
  p: {
    projectId: string;
    title: string;
    what: string;
    consequence: string;
    action: string;
    button: string;
    back: string;
  },
): Promise<Response> {
  return page(c, {
    title: p.title,
    projectId: p.projectId,
    current: "experiments",
    children: (
      <section class="panel narrow" aria-labelledby="confirm-title">
        <h1 id="confirm-title">{p.title}</h1>
        <p>{p.consequence}</p>
        <form class="stack" method="post" action={p.action}>
          <Csrf token={sessionOf(c).csrf} />
          <ConfirmBox what={p.what} />
          <button type="submit" class="danger">
            {p.button}
          </button>
        </form>
        <p>
          <a href={p.back}>Cancel, back to the experiment</a>
        </p>
      </section>
    ),
  });
}

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
const reasonOf = (v: unknown) => text(v).slice(0, 500) || undefined;

/** The generation badge; while challengers are being written it asks for itself again every 4 s. */
export function GenerationStatus(p: { e: ExperimentRow; projectId: string; finished?: boolean }) {
  const pending = p.e.generationStatus === "pending";
  const base = `/app/p/${p.projectId}/experiments/${p.e.id}`;
  return (
    <span
      id="generation-status"
      role="status"
      hx-get={pending ? `${base}/generation` : undefined}
      hx-trigger={pending ? "every 4s" : undefined}
      hx-swap={pending ? "outerHTML" : undefined}
    >
      <span class={`badge ${p.e.generationStatus}`}>{p.e.generationStatus}</span>
      {pending ? " (challengers are being written; this updates by itself)" : null}
      {!pending && p.finished ? (
        <>
          {" "}
          —{" "}
          {p.e.generationStatus === "failed" ? (
            <a href={base}>reload to see why it failed</a>
          ) : (
            <>
              done: <a href={base}>reload to see the new variants</a>
            </>
          )}
        </>
      ) : null}
    </span>
  );
}

/** The forms that change the pool and the settings (write level). */
export function ExperimentActions(p: {
  e: ExperimentRow;
  variants: VariantRow[];
  base: string;
  csrf: string;
}) {
  const winner = p.variants.find((v) => v.id === p.e.winnerVariantId);
  return (
    <section aria-labelledby="change-title">
      <h2 id="change-title">Change the experiment</h2>
      <form class="panel filters" method="post" action={`${p.base}/variants`} aria-label="Add a variant">
        <Csrf token={p.csrf} />
        <label>
          New variant text
          <input name="text" required maxlength={MAX_VARIANT_LENGTH} />
        </label>
        <label>
          Reason (kept in the history)
          <input name="reason" maxlength={500} />
        </label>
        <button type="submit">Add variant</button>
      </form>
      <form
        class="panel filters"
        method="post"
        action={`${p.base}/strategy`}
        aria-label="Change the strategy"
      >
        <Csrf token={p.csrf} />
        <label>
          Strategy
          <select name="strategy">
            {STRATEGIES.map((s) => (
              <option value={s} selected={s === p.e.strategy}>
                {STRATEGY_LABEL[s] ?? s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason (kept in the history)
          <input name="reason" maxlength={500} />
        </label>
        <button type="submit" class="secondary">
          Change strategy
        </button>
      </form>
      {winner ? (
        <form
          class="panel filters"
          method="post"
          action={`${p.base}/winner/clear`}
          aria-label="Clear the winner"
        >
          <Csrf token={p.csrf} />
          <p>
            Winner: <strong>{winner.text}</strong>
          </p>
          <ConfirmBox what="every active arm is tested again" />
          <button type="submit" class="danger">
            Clear the winner
          </button>
        </form>
      ) : null}
    </section>
  );
}

export function registerExperimentActions(dash: Hono<DashEnv>): void {
  const back = (projectId: string, experimentId: string) => `/app/p/${projectId}/experiments/${experimentId}`;

  // The badge's poll while challengers are written (read level, as GET /v1/experiments/{id}).
  dash.get("/p/:project/experiments/:experiment/generation", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const found = await mustFind(c.get("ctx"), projectId, c.req.param("experiment"));
    const html = await (<GenerationStatus e={found.experiment} projectId={projectId} finished />);
    return c.html(`${html}`);
  });

  // POST /v1/experiments/{id}/variants
  dash.post("/p/:project/experiments/:experiment/variants", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const variant = await addManualVariant({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: {
        experimentId: c.req.param("experiment"),
        text: text(form.text),
        reason: reasonOf(form.reason),
      },
    });
    return c.redirect(back(projectId, variant.experimentId), 303);
  });

  // PATCH /v1/experiments/{id} with { strategy }
  dash.post("/p/:project/experiments/:experiment/strategy", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const strategy = STRATEGIES.find((s) => s === form.strategy);
    if (!strategy) {
      throw new BadRequestError(`strategy: one of ${STRATEGIES.join(", ")}`, [
        { path: "strategy", message: "unknown strategy" },
      ]);
    }
    const done = await updateExperiment({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: {
        experimentId: c.req.param("experiment"),
        settings: { strategy: strategy satisfies Strategy },
        reason: reasonOf(form.reason),
      },
    });
    return c.redirect(back(projectId, done.experiment.id), 303);
  });

  // DELETE /v1/experiments/{id}/winner, after the confirm step.
  dash.post("/p/:project/experiments/:experiment/winner/clear", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "write");
    const experimentId = c.req.param("experiment");
    if (!(await confirmed(c))) {
      await mustFind(c.get("ctx"), projectId, experimentId);
      return confirmPage(c, {
        projectId,
        title: "Clear the winner?",
        what: "every active arm is tested again",
        consequence:
          "The declared winner stops getting all the traffic: every active arm is served and compared again.",
        action: `${back(projectId, experimentId)}/winner/clear`,
        button: "Clear the winner",
        back: back(projectId, experimentId),
      });
    }
    const form = await c.req.parseBody();
    const done = await clearWinner({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { experimentId, reason: reasonOf(form.reason) },
    });
    return c.redirect(back(projectId, done.experiment.id), 303);
  });

  // The confirm step of retiring an arm (the POST is the verb behind …/variants/{id}/retire).
  dash.get("/p/:project/experiments/:experiment/variants/:variant/retire", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const detail = await mustFind(c.get("ctx"), projectId, c.req.param("experiment"));
    const v = mustVariant(detail, c.req.param("variant"));
    const base = back(projectId, detail.experiment.id);
    return confirmPage(c, {
      projectId,
      title: "Retire this variant?",
      what: `"${v.text}" is no longer served`,
      consequence: `"${v.text}" stops being served; its numbers stay in the report.`,
      action: `${base}/variants/${v.id}/retire`,
      button: "Retire the variant",
      back: base,
    });
  });
}
