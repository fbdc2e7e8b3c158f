import type { Subscription } from "../../push/subscriptions";
import { when } from "../format";
import { Csrf } from "../layout";

/** The same bounds as the API's payload and topic schemas (routes/notifications/schemas.ts). */
const TITLE_MAX = 256;
const BODY_MAX = 4000;
const URL_MAX = 2048;
const TOPIC = /^[A-Za-z0-9_.:-]{1,64}$/;
/** The API's path ids: 1–64 characters; ours are `sub_` and base32/hex. */
const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** What <input type="datetime-local"> sends: minutes, optionally seconds; read as UTC. */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export interface SendForm {
  title: string;
  body: string;
  url: string;
  audience: "all" | "topic";
  topic: string;
  /** As typed, `YYYY-MM-DDTHH:MM` in UTC; read only when the Schedule button sent the form. */
  sendAt: string;
}

export interface TestForm {
  title: string;
  body: string;
  /** The picked recent subscription, or the pasted id (the pasted one wins). */
  picked: string;
  pasted: string;
}

export const EMPTY_FORM: SendForm = { title: "", body: "", url: "", audience: "all", topic: "", sendAt: "" };
export const EMPTY_TEST: TestForm = {
  title: "Test notification",
  body: "If you can read this, push works.",
  picked: "",
  pasted: "",
};

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** `YYYY-MM-DDTHH:MM` read as UTC, in Unix ms; null when it is not such a time. */
export function utcInstant(v: string): number | null {
  const m = LOCAL_TIME.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
  // Date.UTC rolls 31 February into March: a time that does not read back is not a time.
  return new Date(ms).toISOString().startsWith(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`) ? ms : null;
}

function contentProblems(title: string, body: string, problems: string[]) {
  if (!title && !body) problems.push("Write a title or a body.");
  if (title.length > TITLE_MAX) problems.push(`The title is longer than ${TITLE_MAX} characters.`);
  if (body.length > BODY_MAX) problems.push(`The body is longer than ${BODY_MAX} characters.`);
}

/** The form as the verb's input, or what is wrong with it (the API's rules, in the form's words). */
export function readSendForm(
  form: Record<string, unknown>,
  now: number,
): { form: SendForm; scheduledAt: number | null; problems: string[] } {
  const f: SendForm = {
    title: text(form.title),
    body: text(form.body),
    url: text(form.url),
    audience: form.audience === "topic" ? "topic" : "all",
    topic: text(form.topic),
    sendAt: text(form.send_at),
  };
  const problems: string[] = [];
  contentProblems(f.title, f.body, problems);
  if (f.url && (f.url.length > URL_MAX || !/^https?:\/\//i.test(f.url) || !URL.canParse(f.url))) {
    problems.push("The link must be a full http(s) address.");
  }
  if (f.audience === "topic" && !TOPIC.test(f.topic)) {
    problems.push("Name the topic: letters, digits and _ . : - only, at most 64.");
  }
  // Two buttons, one form: "Send now" ignores the time field, "Schedule" needs it.
  let scheduledAt: number | null = null;
  if (form.when === "later") {
    scheduledAt = f.sendAt ? utcInstant(f.sendAt) : null;
    if (!f.sendAt) problems.push("Pick the date and time (UTC) to send it at.");
    else if (scheduledAt === null) problems.push("The send time must be a date and time, in UTC.");
    else if (scheduledAt <= now) problems.push("The send time has passed: pick a later one, or send it now.");
  }
  return { form: f, scheduledAt, problems };
}

/** The test send form: content and exactly one subscription id. */
export function readTestForm(form: Record<string, unknown>): {
  form: TestForm;
  id: string;
  problems: string[];
} {
  const f: TestForm = {
    title: text(form.title),
    body: text(form.body),
    picked: text(form.subscription),
    pasted: text(form.subscription_id),
  };
  const problems: string[] = [];
  contentProblems(f.title, f.body, problems);
  const id = f.pasted || f.picked;
  if (!id) problems.push("Pick a subscription or paste its id.");
  else if (!SUBSCRIPTION_ID.test(id))
    problems.push("A subscription id is letters, digits, _ and - only, at most 64.");
  return { form: f, id, problems };
}

const Problems = (p: { problems: string[] }) =>
  p.problems.length > 0 ? (
    <ul class="error" role="alert">
      {p.problems.map((x) => (
        <li>{x}</li>
      ))}
    </ul>
  ) : null;

export function SendPanel(p: { projectId: string; csrf: string; form: SendForm; problems: string[] }) {
  const f = p.form;
  return (
    <section class="panel" aria-labelledby="send-title">
      <h2 id="send-title">Send a notification</h2>
      <Problems problems={p.problems} />
      <form class="stack" method="post" action={`/app/p/${p.projectId}/push/send`}>
        <Csrf token={p.csrf} />
        <label>
          Title
          <input name="title" maxlength={TITLE_MAX} value={f.title} />
        </label>
        <label>
          Body
          <input name="body" maxlength={BODY_MAX} value={f.body} />
        </label>
        <label>
          Link opened on click (optional)
          <input
            name="url"
            type="url"
            maxlength={URL_MAX}
            value={f.url}
            placeholder="https://example.com/sale"
          />
        </label>
        <fieldset class="inline">
          <legend>Send to</legend>
          <label class="check">
            <input type="radio" name="audience" value="all" checked={f.audience === "all"} /> everyone
            subscribed
          </label>
          <label class="check">
            <input type="radio" name="audience" value="topic" checked={f.audience === "topic"} /> the
            subscribers of a topic
          </label>
          <label class="check">
            Topic
            <input name="topic" maxlength={64} value={f.topic} placeholder="news" />
          </label>
        </fieldset>
        <button type="submit" name="when" value="now">
          Send now
        </button>
        <fieldset class="inline">
          <legend>Or schedule it</legend>
          <label class="check">
            Send at (UTC)
            <input name="send_at" type="datetime-local" value={f.sendAt} />
          </label>
          <button type="submit" name="when" value="later" class="secondary">
            Schedule
          </button>
        </fieldset>
        <p class="muted">A scheduled notification can be canceled below until it goes out.</p>
      </form>
    </section>
  );
}

/** Where a subscription points, without the endpoint's secret path: its push service's host. */
const serviceOf = (endpoint: string) => (URL.canParse(endpoint) ? new URL(endpoint).host : "unknown service");

export function TestSendPanel(p: {
  projectId: string;
  csrf: string;
  form: TestForm;
  problems: string[];
  recent: Subscription[];
}) {
  const f = p.form;
  return (
    <section class="panel" aria-labelledby="test-title">
      <h2 id="test-title">Test send to one subscription</h2>
      <p class="muted">
        Goes to that subscription only, whatever its topics: to check a browser receives and shows it.
      </p>
      <Problems problems={p.problems} />
      <form class="stack" method="post" action={`/app/p/${p.projectId}/push/test`}>
        <Csrf token={p.csrf} />
        {p.recent.length > 0 ? (
          <label>
            A recent active subscription
            <select name="subscription">
              <option value="">—</option>
              {p.recent.map((s) => (
                <option value={s.id} selected={s.id === f.picked}>
                  {s.id} · {s.userId ?? "no user id"} · {serviceOf(s.endpoint)} · {when(s.createdAt)} UTC
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          {p.recent.length > 0 ? "Or paste a subscription id" : "Subscription id"}
          <input name="subscription_id" maxlength={64} value={f.pasted} placeholder="sub_…" />
        </label>
        <label>
          Title
          <input name="title" maxlength={TITLE_MAX} value={f.title} />
        </label>
        <label>
          Body
          <input name="body" maxlength={BODY_MAX} value={f.body} />
        </label>
        <button type="submit">Send test</button>
      </form>
    </section>
  );
}
