import type { StubReply } from "../../packages/llm/test/gemini-stub";

/**
 * Scripted answers for the implementation agent (requests that declare tools), standing in for a
 * model that follows the write prompt: it picks the first candidate, writes one component per
 * segment where the prompt says, edits the target to render the switch, and finishes. The
 * scenario is a marker in the hypothesis (every agent prompt quotes it):
 * - `[agent:ok]` (the default): the well-behaved model above;
 * - `[agent:bad-path]`: insists on writing `.github/workflows/x.yml` until the budget ends the run;
 * - `[agent:over-budget]`: reports 500,000 tokens for one answer (over the 400,000 budget).
 * Stateless: each answer is decided from the conversation in the request.
 */

interface Part {
  text?: string;
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response?: Record<string, unknown> };
}
interface Body {
  contents?: { role?: string; parts?: Part[] }[];
  tools?: { functionDeclarations?: Declaration[] }[];
}
interface Declaration {
  name: string;
  parameters?: { properties?: Record<string, { enum?: string[] }> };
  parametersJsonSchema?: { properties?: Record<string, { enum?: string[] }> };
}

/** True when the request is the agent's (it declares tools); the scenario stub routes it here. */
export function isAgentRequest(body: unknown): boolean {
  const b = body as Body;
  return (b.tools ?? []).some((t) => (t.functionDeclarations ?? []).length > 0);
}

const call = (name: string, args: Record<string, unknown>): Part => ({ functionCall: { name, args } });

function reply(parts: Part[], tokens = 1_200): StubReply {
  return {
    status: 200,
    json: {
      candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: tokens - 200, candidatesTokenCount: 200, totalTokenCount: tokens },
    },
  };
}

export function agentReply(body: unknown): StubReply {
  const b = body as Body;
  const texts = (b.contents ?? []).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? "")).join("\n");
  const scenario = /\[agent:(ok|bad-path|over-budget)\]/.exec(texts)?.[1] ?? "ok";
  const declarations = (b.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
  if (scenario === "over-budget") return reply([call("choose_target", { path: "x" })], 500_000);

  const choose = declarations.find((d) => d.name === "choose_target");
  if (choose) {
    const schema = choose.parameters ?? choose.parametersJsonSchema;
    const path = schema?.properties?.path?.enum?.[0] ?? "";
    return reply([call("choose_target", { path, reason: "the first candidate renders the target" })]);
  }
  if (scenario === "bad-path") {
    return reply([call("write_file", { path: ".github/workflows/x.yml", content: "on: push\n" })]);
  }
  const prompt = (b.contents ?? [])
    .flatMap((c) => (c.parts ?? []).map((p) => p.text ?? ""))
    .find((t) => t.includes("Write these files:"));
  if (!prompt) return reply([{ text: "I need the write prompt." }]);
  return reply([...writeCalls(prompt), call("finish", { summary: "Scripted: one component per segment." })]);
}

/** The writes a careful model makes from the write prompt's instructions. */
function writeCalls(prompt: string): Part[] {
  const calls: Part[] = [];
  const generated = filesIn(prompt, "PushBunny wrote these files (do not write them):", "The files you need");
  const target =
    /^- (\S+): change it minimally so that it renders <(\w+) \/> \(import it from "([^"]+)"\)/m.exec(prompt);
  const switchName = target?.[2] ?? "Experiment";
  const switchFile = [...generated].find(([, content]) =>
    new RegExp(`export (default )?function ${switchName}\\b`).test(content),
  );
  const switchDefault = switchFile
    ? new RegExp(`export default function ${switchName}\\b`).test(switchFile[1])
    : false;
  const propsType = /\{ track \}: (\w+)` \(import type/.exec(prompt)?.[1] ?? null;
  const segmentLine =
    /^- (\S+): the "([^"]+)" segment as (?:`export function (\w+)`|a default export `(\w+)`|a single-file component)/gm;
  for (const m of prompt.matchAll(segmentLine)) {
    const [, path = "", key = "", named, defaulted] = m;
    const name = named ?? defaulted ?? "Segment";
    if (path.endsWith(".vue")) {
      calls.push(
        call("write_file", {
          path,
          content: `<script setup>\nconst props = defineProps(["track"]);\n</script>\n\n<template>\n  <button @click="props.track('signup')">${key}</button>\n</template>\n`,
        }),
      );
      continue;
    }
    const typeImport =
      propsType && switchFile
        ? `import type { ${propsType} } from "${relativeImport(path, switchFile[0])}";\n\n`
        : "";
    const props = propsType ? `{ track }: ${propsType}` : "{ track }";
    const head = named ? `export function ${name}` : `export default function ${name}`;
    calls.push(
      call("write_file", {
        path,
        content: `${typeImport}${head}(${props}) {\n  return <button onClick={() => track("signup")}>${key}</button>;\n}\n`,
      }),
    );
  }
  if (target) {
    const [, path = "", name = "", from = ""] = target;
    const binding = switchDefault ? name : `{ ${name} }`;
    calls.push(
      call("write_file", {
        path,
        content: `import ${binding} from "${from}";\n\nexport default function Page() {\n  return <${name} />;\n}\n`,
      }),
    );
  }
  return calls;
}

/** `--- path\ncontent` blocks between two headings of the prompt. */
function filesIn(prompt: string, start: string, end: string): Map<string, string> {
  const from = prompt.indexOf(start);
  const to = prompt.indexOf(end, from + 1);
  const section = from < 0 ? "" : prompt.slice(from + start.length, to < 0 ? undefined : to);
  const out = new Map<string, string>();
  for (const block of section.split(/^--- /m).slice(1)) {
    const newline = block.indexOf("\n");
    out.set(block.slice(0, newline).trim(), block.slice(newline + 1));
  }
  return out;
}

function relativeImport(fromFile: string, toFile: string): string {
  const from = fromFile.split("/").slice(0, -1);
  const to = toFile.replace(/\.(tsx?|jsx?|vue)$/, "").split("/");
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const up = from.length - common;
  const rest = to.slice(common).join("/");
  return up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
}
