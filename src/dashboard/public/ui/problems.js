// Plain words for the API's problems a person can act on. The API's `detail` stays the text (it
// names the numbers); the title says what happened, so it is not read as a generic failure.

/** @type {Record<string, string>} */
const TITLES = {
  QUOTA_EXCEEDED: 'This tenant has reached a limit of its plan',
  PLAN_IN_USE: 'This plan is still in use',
  TENANT_HAS_CHILDREN: 'This tenant has child tenants',
  DELETION_PROTECTED: 'This tenant is protected from deletion',
  RETENTION_OVER: 'This tenant can no longer be restored',
};

/** What to do next, by code, after the API's own detail. */
/** @type {Record<string, string>} */
const NEXT_STEPS = {
  QUOTA_EXCEEDED: 'An administrator can raise the limit under “Plan and overrides” on the tenant’s page.',
  TENANT_HAS_CHILDREN: 'Move or delete its child tenants first.',
};

/**
 * A title and text for a problem with a known code, or null for any other.
 * @param {{ code?: string, detail?: string } | null | undefined} problem
 * @returns {{ title: string, text: string } | null}
 */
export function explainProblem(problem) {
  const title = problem?.code ? TITLES[problem.code] : undefined;
  if (!problem || !title) return null;
  const detail = problem.detail ? sentence(problem.detail) : '';
  const next = problem.code ? NEXT_STEPS[problem.code] : undefined;
  return { title, text: [detail, next].filter(Boolean).join(' ') };
}

/** @param {string} text */
function sentence(text) {
  const capital = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
