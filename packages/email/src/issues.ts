/** Which part of an email a finding is about. */
export type IssueField = "subject" | "preheader" | "html" | "text" | "from" | "reply_to";

/** `error` blocks use of the copy; `warning` is shown and may be overridden by a person. */
export type IssueSeverity = "error" | "warning";

/** One finding from template validation or content checks, shaped for an API `issues` array. */
export interface ContentIssue {
  field: IssueField;
  code: string;
  message: string;
  severity: IssueSeverity;
}

/** True when any issue is an error. */
export function hasErrors(issues: readonly ContentIssue[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}
