/** Why the SDK reports a problem through `onError` (it never throws from message() or track()). */
export type ErrorCode =
  | "timeout"
  | "network"
  | "http"
  | "rejected"
  | "dropped"
  | "storage"
  | "unsupported"
  | "permission";

/** A problem the SDK met; `status` and `requestId` come from the server when it answered. */
export class PushBunnyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "PushBunnyError";
  }
}
