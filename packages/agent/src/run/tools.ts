import type { ToolDeclaration } from "./model";

/** The planning tool: the model picks the file to change among the candidates code found. */
export function chooseTargetTool(paths: readonly string[]): ToolDeclaration {
  return {
    name: "choose_target",
    description:
      "Choose the file to change for the experiment's target, among the candidates found in the repository.",
    parameters: {
      type: "object",
      properties: {
        path: { type: "string", enum: [...paths], description: "One of the candidate paths, exactly." },
        reason: { type: "string", description: "One sentence: why this file." },
      },
      required: ["path"],
    },
  };
}

/** The writing tools. */
export const WRITE_TOOLS: ToolDeclaration[] = [
  {
    name: "read_file",
    description:
      "Read a file of the repository (as the base branch has it, or as you wrote it). Reads are budgeted.",
    parameters: {
      type: "object",
      properties: { path: { type: "string", description: "A path from the repository root." } },
      required: ["path"],
    },
  },
  {
    name: "write_file",
    description:
      "Write the complete content of one file (new or changed). Paths are checked against the write policy; a refusal says why.",
    parameters: {
      type: "object",
      properties: {
        path: { type: "string", description: "A path from the repository root." },
        content: { type: "string", description: "The whole file." },
      },
      required: ["path", "content"],
    },
  },
  {
    name: "flush_writes",
    description:
      "Check the files written so far: one component per segment, the target rendering the switch, sizes. Returns the problems to fix, or ok.",
    parameters: { type: "object", properties: {} },
  },
  {
    name: "compare_changes",
    description: "The unified diff of every change so far, the generated files included.",
    parameters: { type: "object", properties: {} },
  },
  {
    name: "finish",
    description:
      "Finish when flush_writes reports ok. Give a one-paragraph summary of the change for the pull request.",
    parameters: {
      type: "object",
      properties: { summary: { type: "string", description: "What changed, for reviewers." } },
      required: ["summary"],
    },
  },
];
