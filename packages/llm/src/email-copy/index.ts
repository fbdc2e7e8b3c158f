export { buildEmailCopyPrompt, createGeminiEmailCopyWriter } from "./gemini";
export { createOfflineEmailCopyWriter } from "./offline";
export {
  assertEmailCopyInput,
  EMAIL_COPY_KINDS,
  EMAIL_COPY_LIMITS,
  type EmailCopyInput,
  type EmailCopyKind,
  type EmailCopyResult,
  type EmailCopyWriter,
} from "./types";
