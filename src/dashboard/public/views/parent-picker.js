import { api } from '../api.js';
import { combobox } from '../ui/combobox.js';

/** @import { Page, Tenant } from '../types.js' */

const ROOT = { value: '', label: 'No parent (root)', description: 'A top-level tenant' };

/** @param {Tenant} t */
const choiceOf = (t) => ({ value: t.id, label: t.displayName, description: t.parentId ? `${t.slug} · a child tenant` : t.slug });

/**
 * The "Parent tenant" field (admins): a search over the organization's tenants, or none. A tenant
 * cannot be its own parent, so `self` is left out of the choices; the API refuses the rest of what
 * cannot be (a descendant, too deep) with a 422 on `parentId`, shown next to the field.
 * @param {{ parentId?: string | null, self?: string, organizationId?: string }} [options]
 */
export function parentPicker({ parentId = null, self, organizationId } = {}) {
  const picker = combobox({
    label: 'Parent tenant',
    name: 'parentId',
    initial: parentId ? { value: parentId, label: 'Loading…' } : ROOT,
    fixed: [ROOT],
    optional: true,
    wide: true,
    placeholder: 'Search tenants',
    hint: 'It is managed with its parent: the parent’s owners manage this tenant too.',
    search: async (text, signal) => {
      /** @type {Page<Tenant>} */
      const data = await api.get('/v1/tenants', { search: text || undefined, organizationId, limit: 20, ordering: 'name', count: 'false' }, { signal });
      return data.results.filter((t) => t.id !== self).map(choiceOf);
    },
  });
  if (parentId) {
    (async () => {
      try {
        /** @type {Tenant} */
        const parent = await api.get(`/v1/tenants/${encodeURIComponent(parentId)}`);
        picker.set(choiceOf(parent));
      } catch {
        picker.set({ value: parentId, label: parentId });
      }
    })();
  }
  return {
    element: picker.element,
    /** The chosen parent's id, or null for a root. */
    value: () => picker.value() || null,
  };
}
