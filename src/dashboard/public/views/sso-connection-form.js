import { h } from '../dom.js';
import { checkbox, checkedOf, field, FormProblem, fieldValue } from '../ui/form.js';
import { passwordField } from '../ui/password-field.js';

/** @import { SsoConnection, SsoConnectionInput, TenantRole } from '../types.js' */

/** The API's pattern for an email domain: labels of letters, digits and hyphens, at least one dot. */
const DOMAIN = /^(?=.{3,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
const MAX_DOMAINS = 20;

/** @type {readonly (readonly [TenantRole, string])[]} */
const ROLE_CHOICES = [
  ['member', 'Member'],
  ['owner', 'Owner'],
];

/**
 * The domains typed in one field, separated by commas or spaces; a leading "@" is dropped.
 * @param {string} text
 */
export const parseDomains = (text) => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((d) => d.replace(/^@/, '').toLowerCase())
      .filter(Boolean),
  ),
];

/**
 * The fields of a connection, shared by "add" and "edit". Editing, the secret may stay empty: the
 * API never returns it, so empty means the one stored is kept.
 * @param {SsoConnection} [connection] The connection to edit; a new one's defaults when absent.
 */
export function ssoConnectionFields(connection) {
  return [
    field({
      label: 'Issuer URL',
      name: 'issuer',
      type: 'url',
      value: connection?.issuer,
      required: true,
      mono: true,
      wide: true,
      autofocus: true,
      spellcheck: false,
      placeholder: 'https://login.example.com',
      hint: 'Landlord reads the provider’s discovery document at this address followed by /.well-known/openid-configuration.',
    }),
    field({ label: 'Client ID', name: 'clientId', value: connection?.clientId, required: true, mono: true, maxlength: 255, spellcheck: false }),
    passwordField({
      label: 'Client secret',
      name: 'clientSecret',
      required: !connection,
      optional: Boolean(connection),
      autocomplete: 'new-password',
      maxlength: 1024,
      hint: connection ? 'Leave it empty to keep the current secret. It is never shown again once saved.' : 'It is never shown again once saved.',
    }),
    field({
      label: 'Email domains',
      name: 'domains',
      value: connection?.domains.join(', '),
      required: true,
      wide: true,
      spellcheck: false,
      placeholder: 'contoso.com, contoso.co.uk',
      hint: 'People whose email is in one of these domains sign in through this provider. Separate them with commas or spaces.',
    }),
    field({
      label: 'Default role',
      name: 'defaultRole',
      value: connection?.defaultRole ?? 'member',
      options: ROLE_CHOICES,
      hint: 'The role of someone who signs in for the first time; you can change it later on the Users page.',
    }),
    h(
      'div.field-wide',
      checkbox({
        label: 'Enabled',
        name: 'isEnabled',
        checked: connection?.isEnabled ?? true,
        description: 'While it is disabled, nobody can sign in through it.',
      }),
    ),
  ];
}

/**
 * Reads the fields back; throws a form problem when something is missing or not a domain.
 * `clientSecret` is left out when empty.
 * @param {HTMLFormElement} form
 * @param {{ secretRequired: boolean }} options
 * @returns {SsoConnectionInput}
 */
export function readSsoConnection(form, { secretRequired }) {
  const issuer = fieldValue(form, 'issuer').trim();
  const clientId = fieldValue(form, 'clientId').trim();
  const clientSecret = fieldValue(form, 'clientSecret');
  const domains = parseDomains(fieldValue(form, 'domains'));
  /** @type {{ field: string, message: string }[]} */
  const errors = [];
  if (!issuer) errors.push({ field: 'issuer', message: 'is required' });
  if (!clientId) errors.push({ field: 'clientId', message: 'is required' });
  if (secretRequired && !clientSecret) errors.push({ field: 'clientSecret', message: 'is required' });
  const bad = domains.filter((d) => !DOMAIN.test(d));
  if (!domains.length) errors.push({ field: 'domains', message: 'enter at least one domain, such as contoso.com' });
  else if (bad.length)
    errors.push({
      field: 'domains',
      message: `${bad.map((d) => `“${d}”`).join(', ')} ${bad.length === 1 ? 'is not a domain' : 'are not domains'} such as contoso.com`,
    });
  else if (domains.length > MAX_DOMAINS) errors.push({ field: 'domains', message: `at most ${MAX_DOMAINS} domains` });
  if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
  /** @type {SsoConnectionInput} */
  const input = {
    issuer,
    clientId,
    domains,
    defaultRole: fieldValue(form, 'defaultRole') === 'owner' ? 'owner' : 'member',
    isEnabled: checkedOf(form, 'isEnabled'),
  };
  if (clientSecret) input.clientSecret = clientSecret;
  return input;
}

/**
 * What an edit changes: only the fields that differ, so an unchanged issuer is not discovered again.
 * @param {SsoConnection} connection
 * @param {SsoConnectionInput} next
 * @returns {Partial<SsoConnectionInput>}
 */
export function connectionChanges(connection, next) {
  /** @type {Partial<SsoConnectionInput>} */
  const changes = {};
  if (next.issuer !== connection.issuer) changes.issuer = next.issuer;
  if (next.clientId !== connection.clientId) changes.clientId = next.clientId;
  if (next.clientSecret) changes.clientSecret = next.clientSecret;
  if ([...next.domains].sort().join(' ') !== connection.domains.join(' ')) changes.domains = next.domains;
  if (next.defaultRole !== connection.defaultRole) changes.defaultRole = next.defaultRole;
  if (next.isEnabled !== connection.isEnabled) changes.isEnabled = next.isEnabled;
  return changes;
}
