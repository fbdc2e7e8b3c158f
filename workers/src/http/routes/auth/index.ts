import type { App } from "../../types";
import { registerGetMe } from "./get-me";
import { registerLogin } from "./login";
import { registerLogout } from "./logout";
import { registerRefresh } from "./refresh";
import { registerRequestPasswordReset } from "./request-password-reset";
import { registerResendVerification } from "./resend-verification";
import { registerResetPassword } from "./reset-password";
import { registerSignup } from "./signup";
import { registerVerifyEmail } from "./verify-email";

/** Every /v1/auth route: signup, login, refresh, logout, me, email verification, password reset. */
export function registerAuthRoutes(app: App) {
  registerSignup(app);
  registerLogin(app);
  registerRefresh(app);
  registerLogout(app);
  registerGetMe(app);
  registerVerifyEmail(app);
  registerResendVerification(app);
  registerRequestPasswordReset(app);
  registerResetPassword(app);
}
