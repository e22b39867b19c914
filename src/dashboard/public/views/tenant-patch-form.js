import { ApiError, request, statusOf } from '../api.js';
import { h } from '../dom.js';
import { sectionHeader } from '../ui/components.js';
import { busy, clearErrors, formAlert, FormProblem, showErrors } from '../ui/form.js';
import { toast } from '../ui/toast.js';

/** @import { Settings, Tenant } from '../types.js' */
/** @import { Child, TenantPage } from '../app-types.js' */

/**
 * A `PATCH /v1/tenants/{id}` body: only what changed (a metadata key, feature or limit set to null is removed).
 * @typedef {Partial<Omit<Tenant, 'settings' | 'metadata' | 'features' | 'limits'>> & {
 *   settings?: Partial<Settings>,
 *   metadata?: Record<string, string | null>,
 *   features?: Record<string, boolean | number | string | null>,
 *   limits?: Record<string, number | null>,
 * }} TenantPatch
 */

const STALE = 'Someone else changed this tenant after you opened it. Reload the page to see their changes, then make yours again.';

/**
 * A card holding one form that PATCHes only what changed, guarded by the tenant's ETag.
 * @param {object} options
 * @param {TenantPage} options.page
 * @param {string} options.title
 * @param {string} options.description
 * @param {Child} options.fields
 * @param {(form: HTMLFormElement) => TenantPatch} options.collect The changes; throws a FormProblem when the fields are not valid.
 * @param {boolean} options.readOnly
 * @param {(tenant: Tenant) => void} [options.onSaved]
 */
export function patchForm({ page, title, description, fields, collect, readOnly, onSaved }) {
  const submit = h('button.btn.btn-primary', { type: 'submit' }, 'Save changes');
  const form = h(
    'form.card.form-card',
    { novalidate: true },
    sectionHeader({ title, description }),
    formAlert(),
    h('div.form-grid', fields),
    readOnly ? null : h('div.form-actions', submit),
  );
  if (readOnly) {
    // Each of these has `disabled`.
    const controls = /** @type {NodeListOf<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement>} */ (
      form.querySelectorAll('input, select, textarea, button')
    );
    for (const el of controls) el.disabled = true;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    let body;
    try {
      body = collect(form);
    } catch (problem) {
      return showErrors(form, problem);
    }
    if (Object.keys(body).length === 0) return toast('Nothing changed', { kind: 'info' });
    try {
      /** @type {{ data: Tenant, etag: string | null }} */
      const { data, etag } = await busy(submit, () => request('PATCH', `/v1/tenants/${encodeURIComponent(page.tenant.id)}`, { body, ifMatch: page.etag }));
      page.update(data, etag);
      onSaved?.(data);
      toast('Changes saved');
    } catch (error) {
      if (statusOf(error) === 401) return;
      showErrors(form, error instanceof ApiError && error.code === 'PRECONDITION_FAILED' ? new FormProblem(STALE) : error);
    }
  });
  return form;
}

/**
 * The entries of `next` whose value differs from `current`'s.
 * @template {object} T
 * @param {T} current
 * @param {Partial<T>} next
 * @returns {Partial<T>}
 */
export function changed(current, next) {
  /** @type {Partial<T>} */
  const body = {};
  // Object.keys() types its keys as strings; they are keys of `next`, so of T.
  for (const key of /** @type {(keyof T)[]} */ (Object.keys(next))) if (next[key] !== current[key]) body[key] = next[key];
  return body;
}
