import type { ImportAlias } from "../app-config";
import type { CodeStyle } from "../style";
import type { ExperimentSpec } from "./experiment";
import { type ExperimentLayout, importSpecifier } from "./layout";

/** The file conventions generated code follows. */
interface Format {
  q: (text: string) => string;
  /** Statement end: ";" or "". */
  sc: string;
  /** Trailing comma of a multi-line list. */
  tc: string;
  ts: boolean;
}

function formatOf(style: CodeStyle, typescript: boolean): Format {
  const quote = style.quotes === "single" ? "'" : '"';
  return {
    q: (text) => `${quote}${text.replace(/\\/g, "\\\\").replaceAll(quote, `\\${quote}`)}${quote}`,
    sc: style.semicolons ? ";" : "",
    tc: style.trailingCommas === "none" ? "" : ",",
    ts: typescript,
  };
}

/** Templates are written with two-space indentation; this applies the app's indentation. */
function reindent(text: string, style: CodeStyle): string {
  const unit = style.indent.kind === "tab" ? "\t" : " ".repeat(style.indent.size);
  return text.replace(/^((?: {2})+)/gm, (lead) => unit.repeat(lead.length / 2));
}

/** Lines that are null are left out, so templates can switch parts on and off. */
const lines = (...items: (string | null | false)[]) =>
  `${items.filter((item): item is string => typeof item === "string").join("\n")}\n`;

/** The PushBunny client module: one lazily created browser client, keyed by a public env var. */
export function sdkModuleSource(layout: ExperimentLayout, style: CodeStyle, baseUrl: string): string {
  const f = formatOf(style, layout.typescript);
  return reindent(
    lines(
      `import ${f.ts ? "{ type BrowserClient, createClient }" : "{ createClient }"} from ${f.q("@pushbunny/sdk/browser")}${f.sc}`,
      "",
      `// Written by PushBunny. ${layout.envVar} is the project's public key: the bundler inlines it.`,
      `let client${f.ts ? ": BrowserClient | null" : ""} = null${f.sc}`,
      "",
      "/** The page's PushBunny client, created on first use so server rendering never builds one. */",
      `export function pushbunny()${f.ts ? ": BrowserClient" : ""} {`,
      "  if (client === null) {",
      "    client = createClient({",
      `      baseUrl: ${f.q(baseUrl)},`,
      `      apiKey: ${layout.envExpression} ?? ${f.q("")}${f.tc}`,
      `    })${f.sc}`,
      "  }",
      `  return client${f.sc}`,
      "}",
    ),
    style,
  );
}

interface SwitchInput {
  layout: ExperimentLayout;
  style: CodeStyle;
  experiment: ExperimentSpec;
  aliases: readonly ImportAlias[];
  useClient: boolean;
}

const HEADER = (key: string) =>
  `// Written by PushBunny for experiment "${key}": change the segment components, not this switch.`;

/** The React switch: a hook that asks the SDK for the segment and a component that renders it. */
export function reactSwitchSource({ layout, style, experiment, aliases, useClient }: SwitchInput): string {
  const f = formatOf(style, layout.typescript);
  const sw = layout.switchComponent;
  const hook = `use${sw.componentName}`;
  const sdk = importSpecifier(sw.path, layout.sdkModule.path, aliases, style.importAlias);
  const metrics = [...new Set([experiment.primaryMetric, ...experiment.secondaryMetrics])];
  const imports = layout.segments.map((segment) => {
    const from = f.q(importSpecifier(sw.path, segment.path, [], null));
    return segment.exportKind === "named"
      ? `import { ${segment.componentName} } from ${from}${f.sc}`
      : `import ${segment.componentName} from ${from}${f.sc}`;
  });
  const exportFn = sw.exportKind === "named" ? "export function" : "export default function";
  const keyType = f.ts ? ": SegmentKey" : "";
  return reindent(
    lines(
      useClient ? `${f.q("use client")}${f.sc}` : null,
      useClient ? "" : null,
      `import { useCallback, useEffect, useState } from ${f.q("react")}${f.sc}`,
      `import { pushbunny } from ${f.q(sdk)}${f.sc}`,
      ...imports,
      "",
      HEADER(experiment.key),
      `const EXPERIMENT = ${f.q(experiment.key)}${f.sc}`,
      "",
      f.ts && `/** The metrics this experiment measures; track() accepts only these. */`,
      f.ts && `export type ${sw.metricType} = ${metrics.map((m) => f.q(m)).join(" | ")}${f.sc}`,
      f.ts && "",
      f.ts && `export type ${sw.propsType} = {`,
      f.ts && `  track: (metric: ${sw.metricType}, properties?: Record<string, string>) => void${f.sc}`,
      f.ts && `}${f.sc}`,
      f.ts && "",
      "const segments = {",
      ...layout.segments.map(
        (segment, i) =>
          `  ${/^[a-z_$][\w$]*$/i.test(segment.key) ? segment.key : f.q(segment.key)}: ${segment.componentName}${i === layout.segments.length - 1 ? f.tc : ","}`,
      ),
      `}${f.sc}`,
      "",
      f.ts && `type SegmentKey = keyof typeof segments${f.sc}`,
      f.ts && "",
      `function isSegment(key${f.ts ? ": string | null | undefined" : ""})${f.ts ? ": key is SegmentKey" : ""} {`,
      `  return typeof key === ${f.q("string")} && Object.prototype.hasOwnProperty.call(segments, key)${f.sc}`,
      "}",
      "",
      "// `#seg-<key>` in the address previews a segment without an assignment, and switches live.",
      `function previewSegment()${f.ts ? ": SegmentKey | null" : ""} {`,
      `  const key = /^#seg-(.+)$/.exec(window.location.hash)?.[1]${f.sc}`,
      `  return key !== undefined && isSegment(key) ? key : null${f.sc}`,
      "}",
      "",
      `/** The segment to show (the control until PushBunny answers, or when it assigns none) and track(). */`,
      `export function ${hook}() {`,
      `  const [assigned, setAssigned] = useState${f.ts ? "<SegmentKey>" : ""}(${f.q(layout.segments[0]?.key ?? "control")})${f.sc}`,
      `  const [preview, setPreview] = useState${f.ts ? "<SegmentKey | null>" : ""}(null)${f.sc}`,
      "",
      "  useEffect(() => {",
      `    let active = true${f.sc}`,
      "    pushbunny()",
      "      .experiment(EXPERIMENT)",
      "      .then((key) => {",
      `        if (active && isSegment(key)) setAssigned(key)${f.sc}`,
      "      })",
      "      .catch(() => {",
      "        // No answer (offline, blocked, stopped experiment): the control keeps showing.",
      `      })${f.sc}`,
      `    const onHashChange = () => setPreview(previewSegment())${f.sc}`,
      `    onHashChange()${f.sc}`,
      `    window.addEventListener(${f.q("hashchange")}, onHashChange)${f.sc}`,
      "    return () => {",
      `      active = false${f.sc}`,
      `      window.removeEventListener(${f.q("hashchange")}, onHashChange)${f.sc}`,
      `    }${f.sc}`,
      `  }, [])${f.sc}`,
      "",
      "  const track = useCallback(",
      `    (metric${f.ts ? `: ${sw.metricType}` : ""}, properties${f.ts ? "?: Record<string, string>" : ""}) => {`,
      `      pushbunny().track(metric, properties).catch(() => {})${f.sc}`,
      "    },",
      `    []${f.tc}`,
      `  )${f.sc}`,
      "",
      `  const segment${keyType} = preview ?? assigned${f.sc}`,
      `  return { segment, track }${f.sc}`,
      "}",
      "",
      `/** Renders the segment ${hook}() chose. */`,
      `${exportFn} ${sw.componentName}() {`,
      `  const { segment, track } = ${hook}()${f.sc}`,
      `  const Segment = segments[segment]${f.sc}`,
      `  return <Segment track={track} />${f.sc}`,
      "}",
    ),
    style,
  );
}

/** The Vue switch: a single-file component that asks the SDK for the segment and renders it. */
export function vueSwitchSource({ layout, style, experiment, aliases }: SwitchInput): string {
  const f = formatOf(style, layout.typescript);
  const sw = layout.switchComponent;
  const sdk = importSpecifier(sw.path, layout.sdkModule.path, aliases, style.importAlias);
  const metrics = [...new Set([experiment.primaryMetric, ...experiment.secondaryMetrics])];
  const body = reindent(
    lines(
      HEADER(experiment.key),
      `import { computed, onBeforeUnmount, onMounted, ref } from ${f.q("vue")}${f.sc}`,
      `import { pushbunny } from ${f.q(sdk)}${f.sc}`,
      ...layout.segments.map(
        (segment) =>
          `import ${segment.componentName} from ${f.q(importSpecifier(sw.path, segment.path, [], null))}${f.sc}`,
      ),
      "",
      `const EXPERIMENT = ${f.q(experiment.key)}${f.sc}`,
      f.ts && `type Metric = ${metrics.map((m) => f.q(m)).join(" | ")}${f.sc}`,
      "const segments = {",
      ...layout.segments.map(
        (segment, i) =>
          `  ${/^[a-z_$][\w$]*$/i.test(segment.key) ? segment.key : f.q(segment.key)}: ${segment.componentName}${i === layout.segments.length - 1 ? f.tc : ","}`,
      ),
      `}${f.sc}`,
      f.ts && `type SegmentKey = keyof typeof segments${f.sc}`,
      "",
      `const isSegment = (key${f.ts ? ": string | null | undefined" : ""})${f.ts ? ": key is SegmentKey" : ""} =>`,
      `  typeof key === ${f.q("string")} && Object.prototype.hasOwnProperty.call(segments, key)${f.sc}`,
      `const assigned = ref${f.ts ? "<SegmentKey>" : ""}(${f.q(layout.segments[0]?.key ?? "control")})${f.sc}`,
      `const preview = ref${f.ts ? "<SegmentKey | null>" : ""}(null)${f.sc}`,
      `let active = true${f.sc}`,
      "",
      "// `#seg-<key>` in the address previews a segment without an assignment, and switches live.",
      "function onHashChange() {",
      `  const key = /^#seg-(.+)$/.exec(window.location.hash)?.[1]${f.sc}`,
      `  preview.value = key !== undefined && isSegment(key) ? key : null${f.sc}`,
      "}",
      "",
      `function track(metric${f.ts ? ": Metric" : ""}, properties${f.ts ? "?: Record<string, string>" : ""}) {`,
      `  pushbunny().track(metric, properties).catch(() => {})${f.sc}`,
      "}",
      "",
      "onMounted(() => {",
      "  pushbunny()",
      "    .experiment(EXPERIMENT)",
      "    .then((key) => {",
      `      if (active && isSegment(key)) assigned.value = key${f.sc}`,
      "    })",
      "    .catch(() => {",
      "      // No answer (offline, blocked, stopped experiment): the control keeps showing.",
      `    })${f.sc}`,
      `  onHashChange()${f.sc}`,
      `  window.addEventListener(${f.q("hashchange")}, onHashChange)${f.sc}`,
      `})${f.sc}`,
      "",
      "onBeforeUnmount(() => {",
      `  active = false${f.sc}`,
      `  window.removeEventListener(${f.q("hashchange")}, onHashChange)${f.sc}`,
      `})${f.sc}`,
      "",
      `const current = computed(() => segments[preview.value ?? assigned.value])${f.sc}`,
    ),
    style,
  );
  return `<script setup${f.ts ? ' lang="ts"' : ""}>\n${body}</script>\n\n<template>\n${reindent('  <component :is="current" :track="track" />', style)}\n</template>\n`;
}
