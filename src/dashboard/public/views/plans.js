import { api, statusOf, withQuery } from '../api.js';
import { formatNumber, h, replace, timeAgo } from '../dom.js';
import { isSuperadmin } from '../session.js';
import { code, createButton, emptyState, errorState, loading, pageHeader, table } from '../ui/components.js';
import { confirmDialog, formDialog } from '../ui/dialog.js';
import { field, fieldValue, FormProblem } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { featuresEditor, featureText, limitFields, LIMITS, mergePatch } from './entitlements-fields.js';

/** @import { List, Plan, PlanInput } from '../types.js' */
/** @import { PageContext } from '../app-types.js' */

const PLAN_KEY = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/** @param {Plan} plan */
function limitsText(plan) {
  const set = LIMITS.filter(([key]) => plan.limits[key] !== undefined);
  if (!set.length) return h('span.muted', 'Unlimited');
  return h(
    'div.chips',
    set.map(([key, label]) => h('span.badge.badge-neutral', `${label}: ${formatNumber(plan.limits[key] ?? 0)}`)),
  );
}

/** @param {Plan} plan */
function featuresText(plan) {
  const entries = Object.entries(plan.features);
  if (!entries.length) return h('span.muted', 'None');
  return h(
    'div.chips',
    entries.map(([key, value]) => h('span.badge.badge-primary', value === true ? key : `${key}: ${featureText(value)}`)),
  );
}

/**
 * The organization's plans (admins): named sets of features and limits that tenants are put on.
 * @param {PageContext} context
 */
export async function render({ main, query, signal, setTitle }) {
  setTitle('Plans');
  // Superadmins may look at another organization's plans.
  const organizationId = isSuperadmin() ? query.get('organizationId') || undefined : undefined;
  const list = h('div.list-results', loading());
  /** @type {Plan[]} */
  let plans = [];
  const base = '/v1/plans';
  const scope = { organizationId };
  /** @param {Plan} plan */
  const planPath = (plan) => withQuery(`${base}/${encodeURIComponent(plan.key)}`, scope);

  async function load() {
    try {
      /** @type {List<Plan>} */
      const data = await api.get(base, scope, { signal });
      plans = data.results;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  /**
   * The create and edit dialog: a plan's key never changes, so it is asked only on create.
   * @param {Plan} [plan]
   */
  function planDialog(plan) {
    const features = featuresEditor(plan?.features ?? {}, { empty: 'No features yet.' });
    const limits = limitFields(plan?.limits ?? {}, { hint: 'Unlimited' });
    formDialog({
      title: plan ? `Edit ${plan.name}` : 'New plan',
      description: 'Features are flags your product reads from the tenant’s entitlements; limits cap what the tenant can create. An empty limit is unlimited.',
      submitLabel: plan ? 'Save plan' : 'Create plan',
      size: 'lg',
      fields: h(
        'div.form-grid',
        plan
          ? null
          : field({
              label: 'Key',
              name: 'key',
              required: true,
              mono: true,
              maxlength: 63,
              autofocus: true,
              hint: 'Lower-case letters, digits, _ . and -, such as “pro”. It never changes.',
            }),
        field({ label: 'Name', name: 'name', value: plan?.name, required: true, maxlength: 200, autofocus: Boolean(plan) }),
        features.element,
        ...limits.fields,
      ),
      onSubmit: async (form) => {
        const name = fieldValue(form, 'name').trim();
        const key = plan ? plan.key : fieldValue(form, 'key').trim();
        /** @type {{ field: string, message: string }[]} */
        const errors = [];
        if (!plan && !PLAN_KEY.test(key)) errors.push({ field: 'key', message: key ? 'must be lower-case letters, digits, _ . and -' : 'is required' });
        if (!name) errors.push({ field: 'name', message: 'is required' });
        if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
        const nextFeatures = features.read();
        const nextLimits = limits.read(form);
        if (plan) {
          /** @type {PlanInput} */
          const body = {};
          if (name !== plan.name) body.name = name;
          const featurePatch = mergePatch(plan.features, nextFeatures);
          if (Object.keys(featurePatch).length) body.features = featurePatch;
          const limitPatch = mergePatch(plan.limits, nextLimits);
          if (Object.keys(limitPatch).length) body.limits = limitPatch;
          if (Object.keys(body).length) await api.patch(planPath(plan), body);
          toast(Object.keys(body).length ? `${name} was saved` : 'Nothing changed', { kind: Object.keys(body).length ? 'success' : 'info' });
        } else {
          /** @type {PlanInput & { organizationId?: string }} */
          const body = { key, name, features: nextFeatures, limits: nextLimits, organizationId };
          await api.post(base, body);
          toast(`${name} was created`);
        }
        await load();
      },
    });
  }

  /** @param {Plan} plan */
  function remove(plan) {
    confirmDialog({
      title: `Delete ${plan.name}?`,
      message:
        plan.tenantCount > 0
          ? `${formatNumber(plan.tenantCount)} ${plan.tenantCount === 1 ? 'tenant is' : 'tenants are'} on this plan. Move them to another plan first.`
          : 'Tenants can no longer be put on it. This cannot be undone.',
      confirmLabel: 'Delete plan',
      danger: true,
      onConfirm: async () => {
        await api.del(planPath(plan));
        toast(`${plan.name} was deleted`);
        await load();
      },
    });
  }

  function draw() {
    if (plans.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'layers',
          title: 'No plans yet',
          text: 'A plan names the features and limits of the tenants on it, such as Free, Pro and Enterprise.',
          action: createButton('Create your first plan', () => planDialog()),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Plans',
        columns: [
          { label: 'Plan', render: (p) => h('div.cell-main', h('span.cell-strong', p.name), h('span.cell-sub', code(p.key))) },
          { label: 'Features', render: featuresText },
          { label: 'Limits', render: limitsText },
          { label: 'Tenants', className: 'num', render: (p) => formatNumber(p.tenantCount) },
          { label: 'Updated', className: 'hide-md', render: (p) => timeAgo(p.updatedAt) },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions',
            render: (p) =>
              actionMenu(`Actions for ${p.name}`, [
                { label: 'Edit…', onSelect: () => planDialog(p) },
                { label: 'Delete…', danger: true, onSelect: () => remove(p) },
              ]),
          },
        ],
        rows: plans.map((p) => ({ item: p, dataset: { key: p.key } })),
      }),
    );
  }

  replace(
    main,
    h(
      'div.page',
      pageHeader({
        title: 'Plans',
        subtitle: h('p.page-subtitle-text', 'Named sets of features and limits. A tenant’s own overrides are set on its page.'),
        actions: createButton('New plan', () => planDialog()),
      }),
      list,
    ),
  );
  await load();
}
