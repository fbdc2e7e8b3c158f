import type { CodeStyle, CssApproach } from "./style";

const CSS_TEXT: Record<CssApproach, string> = {
  tailwind: "Style with Tailwind CSS utility classes in className; add no new style sheets.",
  "css-modules": "Style with CSS Modules: a Name.module.css file beside the component, imported as `styles`.",
  "styled-components": "Style with styled-components (`styled.div`), as the existing components do.",
  emotion: "Style with Emotion (`@emotion/styled` or the css prop), as the existing components do.",
  scss: "Style with SCSS files imported by the component.",
  "vue-scoped": "Put styles in a <style scoped> block of the single-file component.",
  "plain-css": "Style with plain CSS class names in a .css file imported by the component.",
  unknown: "",
};

const NAMING_EXAMPLE: Record<CodeStyle["componentNaming"], string> = {
  PascalCase: "PricingTable",
  "kebab-case": "pricing-table",
  camelCase: "pricingTable",
  snake_case: "pricing_table",
  unknown: "",
};

/** The style as a short instruction list for the LLM's prompt. */
export function describeStyle(style: CodeStyle): string {
  const ext = style.componentExtension ?? (style.typescript ? ".tsx" : ".jsx");
  const lines = [
    style.typescript
      ? "Write TypeScript (.ts/.tsx) with types on props."
      : "Write JavaScript (.js/.jsx); no TypeScript syntax.",
    style.indent.kind === "tab" ? "Indent with tabs." : `Indent with ${style.indent.size} spaces.`,
    `Use ${style.quotes} quotes for strings${style.semicolons ? " and end statements with semicolons" : " and no semicolons at the end of statements"}.`,
    style.trailingCommas === "none"
      ? "No trailing commas."
      : style.trailingCommas === "es5"
        ? "Trailing commas in multi-line objects and arrays, not in function parameters or calls."
        : "Trailing commas in every multi-line list (objects, arrays, parameters, calls).",
    CSS_TEXT[style.css],
    style.importAlias ? `Import the app's own modules through the "${style.importAlias}" alias.` : "",
    style.exportStyle === "default-function"
      ? "Components: `export default function Name() {…}`."
      : style.exportStyle === "default-arrow"
        ? "Components: `const Name = () => {…}` then `export default Name`."
        : style.exportStyle === "named"
          ? "Components: named exports (`export function Name() {…}`), no default export except where the framework needs one."
          : "",
    style.useClient
      ? 'Start a component that uses state, effects or the experiment hook with "use client".'
      : "",
    style.componentNaming !== "unknown"
      ? `Name component files in ${style.componentNaming} (${NAMING_EXAMPLE[style.componentNaming]}${ext}).`
      : "",
  ];
  return `Match the repository's code style:\n${lines
    .filter((line) => line !== "")
    .map((line) => `- ${line}`)
    .join("\n")}`;
}
