import type { ApiKeyScope } from "./levels";

/** The caller, as proven by its credential. */
export type Principal =
  | {
      kind: "api_key";
      keyId: string;
      /** The readable start of the key (`pb_live_3f9a`), for history and the audit log. */
      prefix: string;
      projectId: string;
      scopes: readonly ApiKeyScope[];
    }
  | {
      kind: "user";
      userId: string;
      email: string;
      /** The login (session family) the access token belongs to. */
      sessionId: string;
    };

/** How history entries and the audit log name the caller; never a whole key. */
export function actorOf(p: Principal): string {
  return p.kind === "api_key" ? `api_key:${p.prefix}…` : `user:${p.userId}`;
}
