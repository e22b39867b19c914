/** Paths of the dashboard that the API hands out; the edge prefixes them with the public URL. */
export const dashboardPaths = {
  tenant: (tenantId: string) => `/dashboard/tenants/${tenantId}`,
  /** A one-time sign-in link: the token is its only secret. */
  signIn: (token: string) => `/dashboard/sign-in?token=${token}`,
};
