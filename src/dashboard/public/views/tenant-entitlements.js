import { api, isAbortError, statusOf } from '../api.js';
import { formatNumber, h, replace } from '../dom.js';
import { isAdmin, isSuperadmin } from '../session.js';
import { code, definitionList, errorState, loading, sectionHeader } from '../ui/components.js';
import { field, fieldValue } from '../ui/form.js';
import { featuresEditor, featureText, limitFields, LIMITS, mergePatch } from './entitlements-fields.js';
import { patchForm } from './tenant-patch-form.js';

/** @import { List, Plan, Tenant } from '../types.js' */
/** @import { TenantPage } from '../app-types.js' */

/**
 * How much of a limit is used, where the dashboard knows (users), or the limit itself.
 * @param {Tenant} tenant
 * @param {import('../types.js').LimitKey} key
 */
function limitText(tenant, key) {
  const limit = tenant.entitlements.limits[key];
  if (limit === undefined) return 'Unlimited';
  if (key === 'users') return `${formatNumber(tenant.userCount)} of ${formatNumber(limit)}`;
  if (key === 'requestsPerMinute') return `${formatNumber(limit)} a minute`;
  return `Up to ${formatNumber(limit)}`;
}

/**
 * What the tenant is entitled to (its plan's features and limits with its own on top), read-only.
 * @param {Tenant} tenant
 * @param {Map<string, string>} planNames Plan key → name, where known (admins).
 */
function summary(tenant, planNames) {
  const { plan, features } = tenant.entitlements;
  const planLabel = plan ? (planNames.get(plan) ?? plan) : 'No plan';
  const usersLimit = tenant.entitlements.limits.users;
  const line = [`Plan: ${planLabel}`, usersLimit !== undefined ? `Users ${limitText(tenant, 'users')}` : null].filter(Boolean).join(' · ');
  const flags = Object.entries(features);
  return h(
    'div.entitlements',
    h('p.entitlements-line', line),
    definitionList([
      ...LIMITS.map(([key, label]) => /** @type {const} */ ([label, limitText(tenant, key)])),
      [
        'Features',
        flags.length
          ? h(
              'ul.feature-list',
              flags.map(([key, value]) => h('li', code(key), ' ', h('span', featureText(value)))),
            )
          : null,
      ],
    ]),
  );
}

/**
 * The tenant's plan and its own features and limits (admins): a PATCH of what changed.
 * @param {TenantPage} page
 * @param {Plan[]} plans
 * @param {() => void} onSaved
 */
function editor(page, plans, onSaved) {
  const t = page.tenant;
  /** @type {[string, string][]} */
  const choices = [['', 'No plan'], ...plans.map((p) => /** @type {[string, string]} */ ([p.key, `${p.name} (${p.key})`]))];
  if (t.plan && !plans.some((p) => p.key === t.plan)) choices.push([t.plan, t.plan]);
  const features = featuresEditor(t.features, { empty: 'None of its own: it has its plan’s.' });
  const limits = limitFields(t.limits, { hint: 'Plan’s' });
  return patchForm({
    page,
    readOnly: false,
    title: 'Plan and overrides',
    description: 'Its own features and limits replace the plan’s, key by key. An empty limit is the plan’s.',
    fields: [field({ label: 'Plan', name: 'plan', value: t.plan ?? '', options: choices, wide: true }), features.element, ...limits.fields],
    collect: (form) => {
      const current = page.tenant;
      /** @type {import('./tenant-patch-form.js').TenantPatch} */
      const body = {};
      const plan = fieldValue(form, 'plan') || null;
      if (plan !== current.plan) body.plan = plan;
      const featurePatch = mergePatch(current.features, features.read());
      if (Object.keys(featurePatch).length) body.features = featurePatch;
      const limitPatch = mergePatch(current.limits, limits.read(form));
      if (Object.keys(limitPatch).length) body.limits = limitPatch;
      return body;
    },
    onSaved,
  });
}

/**
 * "Plan: Pro · Users 3 of 5" and the rest of the tenant's entitlements, for everyone who sees the
 * tenant; administrators also get the editor of its plan and overrides.
 * @param {TenantPage} page
 */
export function entitlementsCard(page) {
  const admin = isAdmin();
  const summarySlot = h('div');
  const editorSlot = h('div');
  /** @type {Map<string, string>} */
  const planNames = new Map();
  const drawSummary = () => replace(summarySlot, summary(page.tenant, planNames));
  const card = h(
    'div.entitlements-cards',
    h(
      'section.card',
      sectionHeader({
        title: 'Plan and entitlements',
        description: admin
          ? 'What this tenant is entitled to: its plan with its own overrides.'
          : 'What your plan includes. The platform’s administrators change it.',
      }),
      summarySlot,
    ),
    admin ? editorSlot : null,
  );
  drawSummary();
  if (admin) {
    replace(editorSlot, loading('Loading plans…'));
    const load = async () => {
      try {
        /** @type {List<Plan>} */
        const data = await api.get('/v1/plans', { organizationId: isSuperadmin() ? page.tenant.organizationId : undefined });
        for (const p of data.results) planNames.set(p.key, p.name);
        drawSummary();
        replace(editorSlot, editor(page, data.results, drawSummary));
      } catch (error) {
        if (!isAbortError(error) && statusOf(error) !== 401) replace(editorSlot, errorState(error, load));
      }
    };
    load();
  }
  return card;
}
