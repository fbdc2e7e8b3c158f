import type { UserProject } from "@pushbunny/db";
import type { LoginKey } from "../../../services/auth/lib/login-keys";
import type { SessionTokens } from "../../../services/auth/lib/sessions";
import type { User } from "../../../services/auth/lib/users";

const iso = (ms: number) => new Date(ms).toISOString();

export const toUserView = (u: User) => ({
  user_id: u.id,
  email: u.email,
  name: u.name,
  email_verified: u.emailVerifiedAt !== null,
  created_at: iso(u.createdAt),
});

export const toTokenPairView = (s: SessionTokens) => ({
  access_token: s.accessToken,
  refresh_token: s.refreshToken,
  token_type: "Bearer" as const,
  expires_in: s.expiresIn,
  refresh_expires_at: iso(s.refreshExpiresAt),
});

/** Signup and login: the person and their first token pair (an object later fields extend). */
export const toSessionView = (user: User, session: SessionTokens) => ({
  user: toUserView(user),
  ...toTokenPairView(session),
});

/** Login: the session, and the login key's fields when one was minted (all or none). */
export const toLoginView = (user: User, session: SessionTokens, key: LoginKey | null) => ({
  ...toSessionView(user, session),
  ...(key && {
    api_key: key.secret,
    api_key_id: key.keyId,
    project_id: key.projectId,
    api_key_scopes: key.scopes,
    api_key_expires_at: iso(key.expiresAt),
  }),
});

export const toProjectView = (p: UserProject) => ({ project_id: p.projectId, name: p.name, role: p.role });
