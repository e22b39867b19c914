/** Paths of the dashboard that the API hands out; the edge prefixes them with the public URL. */
export const dashboardPaths = {
  tenant: (tenantId: string) => `/dashboard/tenants/${tenantId}`,
  /** A one-time sign-in link: the token is its only secret. */
  signIn: (token: string) => `/dashboard/sign-in?token=${token}`,
  /** An invitation's acceptance page: the token is its only secret. */
  acceptInvitation: (token: string) => `/dashboard/accept-invitation?token=${token}`,
  /** Where the browser lands after signing in through an identity provider. */
  home: '/dashboard/',
  /** The sign-in page, saying why a single sign-on ended without a session. */
  ssoFailed: (code: string) => `/dashboard/sign-in?sso_error=${encodeURIComponent(code)}`,
  /** A password reset page: the token is its only secret. */
  resetPassword: (token: string) => `/dashboard/reset-password?token=${token}`,
};
