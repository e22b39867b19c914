import { api } from '../api.js';
import { h } from '../dom.js';
import { navigate } from '../router.js';
import { copyField } from '../ui/components.js';
import { formDialog, showResult } from '../ui/dialog.js';
import { field, FormProblem, trimmedOrNull, fieldValue } from '../ui/form.js';
import { toast } from '../ui/toast.js';
import { parentPicker } from './parent-picker.js';

/** @import { TenantCreated, TenantCreateInput } from '../types.js' */

/**
 * Creates a tenant, optionally with its owner; the owner's one-time sign-in link is shown to copy.
 * @param {{ organizationId?: string, parentId?: string }} [options] The organization to create it in (superadmins), and its parent.
 */
export function createTenantDialog({ organizationId, parentId } = {}) {
  const parent = parentPicker({ parentId, organizationId });
  const ownerFields = h(
    'fieldset.fieldset',
    h('legend.legend', 'Owner ', h('span.optional', 'Optional')),
    h('p.hint', 'Invite the person who will manage this tenant. They get a one-time sign-in link.'),
    h(
      'div.form-grid',
      field({ label: 'Owner name', name: 'owner.name', autocomplete: 'off', maxlength: 200 }),
      field({ label: 'Owner email', name: 'owner.email', type: 'email', autocomplete: 'off', spellcheck: false }),
    ),
  );
  const d = formDialog({
    title: 'New tenant',
    description: 'A tenant is one customer company with its own users, API keys and webhooks.',
    submitLabel: 'Create tenant',
    size: 'lg',
    fields: [
      h(
        'div.form-grid',
        field({ label: 'Name', name: 'name', required: true, maxlength: 200, autofocus: true, hint: 'The company name, e.g. “Contoso Ltd”.' }),
        field({ label: 'Contact email', name: 'email', type: 'email', optional: true, spellcheck: false }),
        field({ label: 'Website', name: 'url', type: 'url', optional: true, placeholder: 'https://' }),
        field({ label: 'External ID', name: 'externalId', optional: true, mono: true, hint: 'Your own id for it.' }),
        parent.element,
      ),
      ownerFields,
    ],
    onSubmit: async (form) => {
      /** @type {TenantCreateInput} */
      const body = { name: fieldValue(form, 'name').trim() };
      for (const key of /** @type {const} */ (['email', 'url', 'externalId'])) {
        const value = trimmedOrNull(fieldValue(form, key));
        if (value !== null) body[key] = value;
      }
      const ownerName = fieldValue(form, 'owner.name').trim();
      const ownerEmail = fieldValue(form, 'owner.email').trim();
      /** @type {{ field: string, message: string }[]} */
      const errors = [];
      if (!body.name) errors.push({ field: 'name', message: 'is required' });
      if (ownerName && !ownerEmail) errors.push({ field: 'owner.email', message: 'is required to invite an owner' });
      if (ownerEmail && !ownerName) errors.push({ field: 'owner.name', message: 'is required to invite an owner' });
      if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
      if (ownerEmail) body.owner = { name: ownerName, email: ownerEmail };
      if (organizationId) body.organizationId = organizationId;
      const parentId = parent.value();
      if (parentId) body.parentId = parentId;
      /** @type {TenantCreated} */
      const tenant = await api.post('/v1/tenants', body);
      const open = () => navigate(`/dashboard/tenants/${encodeURIComponent(tenant.id)}`);
      if (!tenant.signInUrl) {
        d.close();
        open();
        toast(`${tenant.displayName} was created`);
        return false;
      }
      showResult(
        d,
        h(
          'div.result',
          h('p.result-lead', `${tenant.displayName} was created and ${tenant.owner.name} is its owner.`),
          copyField({
            label: `Sign-in link for ${tenant.owner.name}`,
            value: tenant.signInUrl,
            name: 'signInUrl',
            hint: `Send it to ${tenant.owner.email}. It signs them in once and expires in 15 minutes.`,
          }),
        ),
        { doneLabel: 'Open tenant', extra: null },
      );
      d.dialog.addEventListener('close', open, { once: true });
      return false;
    },
  });
  return d;
}
