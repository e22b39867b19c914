// Types of the dashboard's own building blocks: the DOM helpers (dom.js), and the routes and views
// (app.js). Like types.d.ts, for the type checker only; the browser never loads this file.

import type { Organization, Role, SessionInfo, Tenant } from './types.js';

// ---------------------------------------------------------------------------------------------
// The DOM helpers (dom.js)

/** What `h` and `append` take as children: nested arrays flatten; null, undefined and booleans are skipped. */
export type Child = Node | string | number | boolean | null | undefined | readonly Child[];

type TagOf<Spec extends string> = Spec extends `${infer Tag}.${string}` ? Tag : Spec;
type TagElement<Tag extends string> = Tag extends '' ? HTMLDivElement : Tag extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[Tag] : HTMLElement;

/** The element `h(spec)` creates: `h('button.btn')` is an HTMLButtonElement, `h('.x')` a div. */
export type ElementOf<Spec extends string> = Spec extends unknown ? TagElement<TagOf<Spec>> : never;

/** A listener `h` adds: `currentTarget` is the element it is on. */
type Listener<E extends Element, Ev extends Event> = (event: Ev & { currentTarget: E }) => unknown;

/**
 * The props of `h`: listeners (`on…`), `class`, `dataset`, `ref`, the DOM properties in dom.js's
 * PROPS, and attributes (anything else; `true` sets an empty attribute, false/null/undefined none).
 */
export interface Props<E extends Element> {
  class?: string;
  dataset?: Record<string, string>;
  ref?: (element: E) => void;
  onclick?: Listener<E, MouseEvent>;
  onfocus?: Listener<E, FocusEvent>;
  [attribute: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// The app's routes and views (app.js)

export type SetTitle = (...parts: (string | null | undefined)[]) => void;

/** A message for the sign-in page: why the person landed there. */
export interface Notice {
  kind: 'info' | 'success' | 'warning' | 'error';
  title: string;
  text: string | null;
}

export type TenantTab = 'overview' | 'users' | 'api-keys' | 'webhooks' | 'webhook' | 'sso' | 'audit-log';
export type OrganizationTab = 'admins' | 'api-keys' | 'webhooks' | 'webhook';
export type NavKey = 'tenant' | 'tenants' | 'plans' | 'roles' | 'audit' | 'organization' | 'organizations';

/** What the public pages (sign-in, accepting an invitation, password reset) are rendered with: they have no app frame. */
export interface SignInContext {
  root: HTMLElement;
  query: URLSearchParams;
  signal: AbortSignal;
  setTitle: SetTitle;
  beginSession: (data: SessionInfo) => void;
  notice: { current: Notice | null };
}

/** What a signed-in page is rendered with: its slot in the frame, the route's params and the query. */
export interface PageContext {
  main: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  signal: AbortSignal;
  setTitle: SetTitle;
  /** The section, for a tenant's or an organization's pages. */
  tab?: TenantTab | OrganizationTab;
}

/** The tenant a tenant's page shows, shared by its header and the section under it. */
export interface TenantPage {
  readonly tenant: Tenant;
  etag: string | null;
  /** Sections call it after they change the tenant, so the header shows it at once. */
  update(next: Tenant, etag?: string | null): void;
}

/** Who a section's API keys or webhooks belong to: a tenant, or an organization (for every tenant of it). */
export interface OwnerScope {
  kind: 'tenant' | 'organization';
  id: string;
  name: string;
  /** `/v1/tenants/{id}` or `/v1/organizations/{id}`. */
  apiBase: string;
  /** The owner's page in the dashboard. */
  dashboardBase: string;
}

/** What a section under a page's tabs is rendered with: the page context, whose it is, and its slot. */
export interface SectionContext extends PageContext {
  owner: OwnerScope;
  body: HTMLElement;
}

/** What a tenant's section is rendered with: a section context and the tenant itself. */
export interface TenantContext extends SectionContext {
  page: TenantPage;
}

/** What an organization's section is rendered with: a section context and the organization. */
export interface OrganizationContext extends SectionContext {
  organization: Organization;
}

export interface View<C> {
  render: (context: C) => Promise<void>;
}

/** A row of app.js's route table: the home redirect, a public page (sign-in and the like), or a signed-in page. */
export type Route =
  | { path: string; home: true; public?: undefined; load?: undefined }
  | { path: string; public: true; home?: undefined; load: () => Promise<View<SignInContext>> }
  | {
      path: string;
      home?: undefined;
      public?: undefined;
      load: () => Promise<View<PageContext>>;
      /** Who may open it; anyone signed in when absent. */
      roles?: Role[];
      nav: NavKey;
      tab?: TenantTab | OrganizationTab;
    };
