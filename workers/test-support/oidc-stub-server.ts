/**
 * A local OpenID Connect identity provider for Google sign-in tests (RS256 ID tokens, JWKS,
 * discovery, authorization and token endpoints). Filled in with the Google sign-in work.
 */
export async function startOidcStub(): Promise<{ issuer: string; close: () => Promise<void> }> {
  return { issuer: "http://127.0.0.1:9/oidc", close: async () => {} };
}
