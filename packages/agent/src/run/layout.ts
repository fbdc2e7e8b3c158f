import type { ImportAlias } from "../app-config";
import type { FrameworkDetection } from "../framework";
import { splitWords } from "../names";
import { checkWritePath } from "../path-policy";
import { dirname, joinPath } from "../paths";
import type { RepoIndex } from "../snapshot";
import type { CodeStyle } from "../style";
import type { ExperimentSpec } from "./experiment";
import { unsupportedAt } from "./snapshot";

export type Flavour = "react" | "vue";

/** A component file the run creates: where, under which name, exported how. */
export interface PlannedComponent {
  path: string;
  componentName: string;
  exportKind: "named" | "default";
}

export interface PlannedSegment extends PlannedComponent {
  key: string;
  name: string;
  control: boolean;
}

/** Where every file of the experiment goes; decided by code before the model writes anything. */
export interface ExperimentLayout {
  flavour: Flavour;
  typescript: boolean;
  /** The SDK client module; `reuse` when an earlier run's module is already in the repository. */
  sdkModule: { path: string; reuse: boolean };
  switchComponent: PlannedComponent & { metricType: string; propsType: string };
  segments: PlannedSegment[];
  envVar: string;
  /** How code reads the env var in this framework. */
  envExpression: string;
}

const pascal = (text: string) => {
  const name = splitWords(text)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join("");
  return /^[A-Z]/.test(name) ? name : `Exp${name}`;
};

function fileStem(componentName: string, naming: CodeStyle["componentNaming"]): string {
  const words = splitWords(componentName);
  if (naming === "kebab-case") return words.join("-");
  if (naming === "snake_case") return words.join("_");
  if (naming === "camelCase")
    return words.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join("");
  return componentName;
}

/** The env var and how the framework's bundler exposes it to browser code. */
function envOf(framework: FrameworkDetection["framework"]): { envVar: string; envExpression: string } {
  switch (framework) {
    case "next-app":
    case "next-pages":
      return { envVar: "NEXT_PUBLIC_PUSHBUNNY_KEY", envExpression: "process.env.NEXT_PUBLIC_PUSHBUNNY_KEY" };
    case "react-cra":
      return { envVar: "REACT_APP_PUSHBUNNY_KEY", envExpression: "process.env.REACT_APP_PUSHBUNNY_KEY" };
    case "vue-cli":
      return { envVar: "VUE_APP_PUSHBUNNY_KEY", envExpression: "process.env.VUE_APP_PUSHBUNNY_KEY" };
    default:
      return { envVar: "VITE_PUSHBUNNY_KEY", envExpression: "import.meta.env.VITE_PUSHBUNNY_KEY" };
  }
}

/**
 * Chooses the paths and names of the SDK module, the switch and one component per segment:
 * beside the app's components, named in its convention, and each allowed by the write policy.
 * Throws with a readable reason when no allowed place exists or a file would be overwritten.
 */
export async function planLayout(
  index: RepoIndex,
  detection: FrameworkDetection,
  style: CodeStyle,
  experiment: ExperimentSpec,
  targetPath: string,
): Promise<ExperimentLayout> {
  const flavour: Flavour = detection.framework.startsWith("vue") ? "vue" : "react";
  const typescript = style.typescript && detection.typescript;
  // A symlink or submodule at (or above) a path makes it as taken as a file there.
  const blocked = (path: string) => unsupportedAt(path, index.snapshot.unsupported) !== null;
  const allowed = (path: string) => checkWritePath(path, detection).ok && !blocked(path);
  const srcRoot = detection.srcRoot;
  const folders = [joinPath(srcRoot, "components"), joinPath(srcRoot, "lib"), dirname(targetPath)];
  const componentsDir = folders.find((dir) => allowed(joinPath(dir, "experiments", "X.tsx")));
  if (componentsDir === undefined)
    throw new Error("No folder the agent may write in was found for the experiment.");
  const folder = joinPath(componentsDir, "experiments");
  const naming = flavour === "vue" ? "PascalCase" : style.componentNaming;
  const componentExt =
    flavour === "vue" ? ".vue" : typescript ? ".tsx" : style.componentExtension === ".js" ? ".js" : ".jsx";
  const moduleExt = typescript ? ".ts" : ".js";
  const exportKind = flavour === "vue" || style.exportStyle !== "named" ? "default" : "named";
  const base = pascal(experiment.key);
  const component = (componentName: string): PlannedComponent => ({
    path: joinPath(folder, `${fileStem(componentName, naming)}${componentExt}`),
    componentName,
    exportKind,
  });
  const switchName = `${base}Experiment`;
  const used = new Set<string>([switchName]);
  const segments = experiment.segments.map((segment, i) => {
    let name = `${base}${pascal(segment.key)}`;
    for (let n = 2; used.has(name); n++) name = `${base}${pascal(segment.key)}${n}`;
    used.add(name);
    return { ...component(name), key: segment.key, name: segment.name, control: i === 0 };
  });

  // One SDK module per app: an earlier experiment's module is reused, anything else is never overwritten.
  let sdkModule: { path: string; reuse: boolean } | null = null;
  for (const dir of [joinPath(srcRoot, "lib"), folder]) {
    const path = joinPath(dir, `pushbunny${moduleExt}`);
    if (!allowed(path)) continue;
    if (!index.hasFile(path)) {
      sdkModule = { path, reuse: false };
      break;
    }
    const existing = await index.read(path);
    if (existing?.includes("@pushbunny/sdk/browser") && /export function pushbunny\b/.test(existing)) {
      sdkModule = { path, reuse: true };
      break;
    }
  }
  if (!sdkModule)
    throw new Error("No place for the PushBunny client module: pushbunny.ts exists and is not ours.");
  const switchComponent = {
    ...component(switchName),
    metricType: `${base}Metric`,
    propsType: `${base}SegmentProps`,
  };
  for (const file of [switchComponent, ...segments]) {
    if (index.hasFile(file.path) || blocked(file.path))
      throw new Error(`${file.path} already exists; choose another experiment key or remove it first.`);
  }
  return { flavour, typescript, sdkModule, switchComponent, segments, ...envOf(detection.framework) };
}

const SCRIPT_EXT = /\.(tsx|ts|jsx|js|mjs)$/;

/** The specifier `from` imports `to` with: the app's alias when it uses one, else a relative path. */
export function importSpecifier(
  from: string,
  to: string,
  aliases: readonly ImportAlias[],
  preferredAlias: string | null,
): string {
  const bare = to.replace(SCRIPT_EXT, "");
  const alias = aliases.find(
    (item) => item.prefix === preferredAlias && bare.startsWith(item.target.replace(/\/?$/, "/")),
  );
  if (alias) return `${alias.prefix}${bare.slice(alias.target.replace(/\/?$/, "/").length)}`;
  const fromParts = dirname(from).split("/").filter(Boolean);
  const toParts = bare.split("/");
  let common = 0;
  while (common < fromParts.length && common < toParts.length - 1 && fromParts[common] === toParts[common])
    common++;
  const up = fromParts.length - common;
  const rest = toParts.slice(common).join("/");
  return up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
}
