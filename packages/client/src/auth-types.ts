/** The tokens of a signed-in session, as `/api/auth/*` returns them. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch seconds at which the access token expires. */
  expiresAt: number;
  tokenType: 'Bearer';
}

/** A Hearth user as `/api/auth/*` returns it; fields the schema adds come along. */
export interface User {
  id: string;
  /** null for an anonymous user. */
  email: string | null;
  emailVerified: boolean;
  role: 'user' | 'admin' | (string & {});
  anonymous: boolean;
  disabled: boolean;
  mfaEnabled: boolean;
  /** Free-form profile data the user may edit (`updateUser({ metadata })`). */
  metadata: Record<string, unknown>;
  /** ISO 8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** What sign-in returns when the account has MFA: pass it to `auth.verifyMfa`. */
export interface MfaChallenge {
  ticket: string;
  methods: string[];
}

/** The session and its user, as the client keeps and stores them. */
export interface AuthState {
  session: Session;
  user: User;
}

export type AuthChangeEvent =
  'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED' | 'USER_UPDATED' | 'MFA_CHALLENGE';

export interface AuthChangeDetail {
  user: User | null;
  /** Set for MFA_CHALLENGE. */
  mfa?: MfaChallenge;
}

export type AuthChangeListener = (
  event: AuthChangeEvent,
  session: Session | null,
  detail: AuthChangeDetail,
) => void;

export interface SignUpParams {
  email: string;
  password: string;
  /** Profile fields for the new user. */
  data?: Record<string, unknown>;
  /**
   * Your page for the confirmation link, instead of the dashboard's: the mail
   * links to it with `token` and `type=verify-email` added. Must be allowed by
   * the server's `HEARTH_AUTH_REDIRECT_URLS`.
   */
  redirectTo?: string;
}

/** Options of the calls that mail a link (reset, resend confirmation, email change). */
export interface EmailLinkOptions {
  /**
   * Your page for the link in the mail, instead of the dashboard's: the mail
   * links to it with `token` and `type` (`verify-email`, `reset-password` or
   * `change-email`) added to its query. Must be allowed by the server's
   * `HEARTH_AUTH_REDIRECT_URLS`, else the call rejects with `auth/redirect-not-allowed`.
   */
  redirectTo?: string;
}

/** A session obtained elsewhere, for `auth.setSession`. */
export interface SetSessionParams {
  accessToken: string;
  refreshToken: string;
  /** Epoch seconds at which the access token expires; read from the token's `exp` when left out. */
  expiresAt?: number;
}

export interface SignInParams {
  email: string;
  password: string;
}

/** Sign-in either signs in, or asks for a second factor (`mfa` is set). */
export type SignInResult =
  | { user: User; session: Session; mfa?: undefined }
  | { mfa: MfaChallenge; user?: undefined; session?: undefined };

export interface SignUpResult {
  user: User;
  /** null when the server requires email verification before the first sign-in. */
  session: Session | null;
}

export interface SignOutOptions {
  /**
   * `'current'` (default) ends this session on the server; `'global'` ends all
   * of the user's sessions; `'local'` only forgets it on this device.
   */
  scope?: 'current' | 'global' | 'local';
}

export interface OAuthSignInParams {
  /** A provider configured on the server, e.g. `google`, `github`. */
  provider: string;
  /** Where the server sends the browser back to, with a one-time `code`. Defaults to the current page. */
  redirectTo?: string;
  /** Return the URL without navigating (native apps open it themselves). */
  skipBrowserRedirect?: boolean;
}

/** One of the user's sessions, as `GET /api/auth/sessions` lists them. */
export interface SessionInfo {
  id: string;
  /** ISO 8601 timestamps. */
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  /** How the session was authenticated, e.g. `pwd`, `otp`, `anon`, `oauth`. */
  methods: string[];
  userAgent: string | null;
  ip: string | null;
  /** True for the session this client is using. */
  current: boolean;
  [field: string]: unknown;
}

/** What TOTP enrolment returns: show `uri` as a QR code, or `secret` for manual entry. */
export interface TotpEnrollment {
  secret: string;
  uri: string;
}

export interface UpdateUserParams {
  metadata?: Record<string, unknown>;
  /** A new address: confirmed through a link sent to it (`emailChangePending`). Needs recent authentication. */
  email?: string;
  /** Sets a password (e.g. upgrading an anonymous user). Needs recent authentication for an existing one. */
  password?: string;
}

export interface UpdateUserResult {
  user: User;
  /** True when the new email waits for confirmation from the new address. */
  emailChangePending: boolean;
}

export interface ChangePasswordParams {
  password: string;
  /** The current password; may be left out right after a sign-in (recent authentication). */
  currentPassword?: string;
}

/** Proof of presence for sensitive changes (email, password, MFA): the password or a TOTP code. */
export type ReauthenticateParams =
  { password: string; code?: undefined } | { code: string; password?: undefined };

/** An OAuth/OpenID provider configured on the server. */
export interface OAuthProvider {
  name: string;
  displayName: string;
  [field: string]: unknown;
}

/** A provider linked to the user's account. */
export interface Identity {
  provider: string;
  email: string | null;
  /** ISO 8601 timestamps. */
  createdAt: string;
  lastUsedAt: string;
  [field: string]: unknown;
}
