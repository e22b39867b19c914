import { api, messageOf, statusOf } from '../api.js';
import { formatDateTime, h, replace, timeAgo } from '../dom.js';
import { badge, copyField, createButton, emptyState, errorState, listCard, loading, table } from '../ui/components.js';
import { confirmDialog, formDialog, openDialog, showResult } from '../ui/dialog.js';
import { checkedValues, field, FormProblem, radio, fieldValue } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';

/** @import { Invitation, InvitationCreateInput, InvitationSent, List, Tenant, TenantRole } from '../types.js' */

/** @type {Record<TenantRole, string>} */
const ROLES = { owner: 'Owner', member: 'Member' };
const MAX_DAYS = 30; // the API's 720 hours

/**
 * The one-time link of an invitation that no mail carries, to hand over some other way.
 * @param {Invitation} sent
 * @param {string} url
 * @param {string} lead
 */
function linkResult(sent, url, lead) {
  return h(
    'div',
    h('p.result-lead', lead),
    h(
      'div.result',
      copyField({
        label: `Invitation link for ${sent.email}`,
        value: url,
        name: 'invitationUrl',
        hint: `No mail is sent from this Landlord: send the link to ${sent.email} yourself. It is shown only now, works once and expires at ${formatDateTime(sent.expiresAt)}.`,
      }),
    ),
  );
}

/**
 * The parsed "expires in days" field: undefined when empty (the API's default), NaN when not a whole number in range.
 * @param {string} text
 */
function expiryHours(text) {
  if (!text.trim()) return undefined;
  const days = Number(text);
  return Number.isInteger(days) && days >= 1 && days <= MAX_DAYS ? days * 24 : Number.NaN;
}

/**
 * The pending invitations of a tenant, with the dialog that sends a new one, and resend and revoke
 * for each. A card of its own under the users (users.js mounts it).
 * @param {{ tenant: Tenant, signal: AbortSignal }} options
 */
export function invitationsCard({ tenant, signal }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant.id)}/invitations`;
  const list = h('div', loading());

  /** @param {unknown} error */
  const reportError = (error) => statusOf(error) !== 401 && toast(messageOf(error), { kind: 'error' });

  async function load() {
    try {
      /** @type {List<Invitation>} */
      const data = await api.get(base, { status: 'pending' }, { signal });
      draw(data.results);
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  function invite() {
    const roleGroup = h(
      'fieldset.fieldset',
      { dataset: { field: 'role' } },
      h('legend.legend', 'Role'),
      radio({ label: 'Member', name: 'role', value: 'member', checked: true, description: 'Can view the tenant’s profile.' }),
      radio({ label: 'Owner', name: 'role', value: 'owner', description: 'Manages the tenant, its users, API keys and webhooks.' }),
      h('p.field-error', { hidden: true }),
    );
    formDialog({
      title: 'Invite someone',
      description: `They get a one-time link to choose their name and password and join ${tenant.displayName}.`,
      submitLabel: 'Send invitation',
      fields: [
        field({ label: 'Email', name: 'email', type: 'email', required: true, autofocus: true, spellcheck: false }),
        roleGroup,
        field({
          label: 'Expires in (days)',
          name: 'expiresInHours',
          type: 'number',
          inputmode: 'numeric',
          min: 1,
          optional: true,
          hint: `1 to ${MAX_DAYS} days; 7 when left empty.`,
        }),
      ],
      onSubmit: async (form) => {
        /** @type {InvitationCreateInput} */
        const input = { email: fieldValue(form, 'email').trim(), role: /** @type {TenantRole} */ (checkedValues(form, 'role')[0] ?? 'member') };
        const hours = expiryHours(fieldValue(form, 'expiresInHours'));
        /** @type {{ field: string, message: string }[]} */
        const problems = [];
        if (!input.email) problems.push({ field: 'email', message: 'is required' });
        if (Number.isNaN(hours)) problems.push({ field: 'expiresInHours', message: `must be a whole number of days from 1 to ${MAX_DAYS}` });
        if (problems.length) throw new FormProblem('Please correct the highlighted fields.', problems);
        if (hours !== undefined) input.expiresInHours = hours;
        /** @type {InvitationSent} */
        const sent = await api.post(base, input);
        await load();
        if (!sent.url) {
          toast(`Invitation sent to ${sent.email}`);
          return true;
        }
        return linkResult(sent, sent.url, `${sent.email} is invited as ${ROLES[sent.role].toLowerCase()}.`);
      },
    });
  }

  /** @param {Invitation} invitation */
  async function resend(invitation) {
    try {
      /** @type {InvitationSent} */
      const sent = await api.post(`${base}/${encodeURIComponent(invitation.id)}/resend`);
      await load();
      if (!sent.url) return toast(`Invitation sent again to ${sent.email}`);
      const d = openDialog({ title: 'Invitation resent', description: `A new link for ${sent.email}; the one sent before no longer works.` });
      showResult(d, linkResult(sent, sent.url, `The invitation now expires at ${formatDateTime(sent.expiresAt)}.`));
    } catch (error) {
      reportError(error);
    }
  }

  /** @param {Invitation} invitation */
  function revoke(invitation) {
    confirmDialog({
      title: `Revoke the invitation for ${invitation.email}?`,
      message: 'Its link stops working at once. You can invite them again later.',
      confirmLabel: 'Revoke invitation',
      danger: true,
      onConfirm: async () => {
        await api.del(`${base}/${encodeURIComponent(invitation.id)}`);
        toast(`The invitation for ${invitation.email} is revoked`);
        await load();
      },
    });
  }

  /** @param {Invitation[]} invitations */
  function draw(invitations) {
    if (invitations.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'send',
          title: 'No pending invitations',
          text: 'Invite people by email: they choose their own name and password when they accept.',
          action: createButton('Invite', invite),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Pending invitations',
        columns: [
          {
            label: 'Email',
            render: (i) => h('div.cell-main', h('span.cell-strong', i.email), h('span.cell-sub', 'Invited ', timeAgo(i.createdAt))),
          },
          { label: 'Role', render: (i) => badge(ROLES[i.role] ?? i.role, i.role === 'owner' ? 'primary' : 'neutral') },
          { label: 'Expires', render: (i) => timeAgo(i.expiresAt) },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions',
            render: (i) =>
              actionMenu(`Actions for the invitation of ${i.email}`, [
                { label: 'Resend', onSelect: () => resend(i) },
                { label: 'Revoke…', danger: true, onSelect: () => revoke(i) },
              ]),
          },
        ],
        rows: invitations.map((i) => ({ item: i, dataset: { id: i.id, email: i.email } })),
      }),
    );
  }

  load();
  return listCard(
    {
      title: 'Pending invitations',
      description: 'People invited by email who have not accepted yet. Each one holds a seat until it is accepted, revoked or expires.',
      createLabel: 'Invite',
      onCreate: invite,
    },
    list,
  );
}
