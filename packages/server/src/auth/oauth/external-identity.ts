/** What the provider told us about the person. */
export interface ExternalIdentity {
  /** The provider's stable id for the person (the ID token's `sub`, GitHub's numeric user id). */
  subject: string;
  email: string | undefined;
  /** True only when the provider says it checked that the person owns `email`. */
  emailVerified: boolean;
}
