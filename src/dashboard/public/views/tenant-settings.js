import { h } from '../dom.js';
import { field, fieldValue } from '../ui/form.js';

/** @import { Settings } from '../types.js' */

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const LOCALES = [
  'en',
  'en-US',
  'en-GB',
  'de',
  'de-DE',
  'de-AT',
  'de-CH',
  'fr',
  'fr-FR',
  'fr-CA',
  'es',
  'es-ES',
  'es-MX',
  'it',
  'nl',
  'pt',
  'pt-BR',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'tr',
  'ja',
  'ko',
  'zh-CN',
  'zh-TW',
  'ar',
  'he',
  'hi',
];

/** @type {[string, string][] | null} */
let zones = null;

/**
 * Every IANA time zone the browser knows, labelled with its current UTC offset: [zone, label] choices.
 * @param {string} current Listed too, even when the browser does not know it.
 * @returns {[string, string][]}
 */
function timeZones(current) {
  if (!zones) {
    const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const now = new Date();
    zones = ['UTC', ...names.filter((n) => n !== 'UTC')].map((zone) => {
      let offset = '';
      try {
        offset =
          new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? '';
      } catch {
        // An unknown zone keeps its bare name.
      }
      return [zone, offset && zone !== 'UTC' ? `${zone.replace(/_/g, ' ')} (${offset})` : zone];
    });
  }
  return zones.some(([z]) => z === current) ? zones : [[current, current], ...zones];
}

const languageNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' });
  } catch {
    return null;
  }
})();

/** @param {Settings} settings */
function preview(settings) {
  try {
    const when = new Intl.DateTimeFormat(settings.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: settings.timezone }).format(new Date());
    const language = languageNames?.of(settings.locale) ?? settings.locale;
    return `${when} · ${language} · weeks start on ${WEEKDAYS[settings.weekStart]}`;
  } catch {
    return 'Enter a valid locale such as en-GB or de-DE to see a preview.';
  }
}

/**
 * The timezone / week start / locale fields and a live preview of how dates will look.
 * @param {Settings} settings
 */
export function settingsFields(settings) {
  const output = h('output.settings-preview', { 'aria-live': 'polite' }, preview(settings));
  const datalistId = 'locale-suggestions';
  const fields = [
    field({ label: 'Time zone', name: 'settings.timezone', value: settings.timezone, options: timeZones(settings.timezone) }),
    field({ label: 'Week starts on', name: 'settings.weekStart', value: settings.weekStart, options: WEEKDAYS.map((d, i) => [i, d]) }),
    field({
      label: 'Locale',
      name: 'settings.locale',
      value: settings.locale,
      list: datalistId,
      mono: true,
      maxlength: 35,
      hint: 'A BCP 47 language tag, such as en-GB or de-DE.',
    }),
    h(
      'datalist',
      { id: datalistId },
      LOCALES.map((l) => h('option', { value: l }, languageNames?.of(l) ?? l)),
    ),
    h('div.field.field-wide', h('span.label', 'Preview'), output),
  ];
  /**
   * @param {HTMLFormElement} form
   * @returns {Settings}
   */
  const read = (form) => ({
    timezone: fieldValue(form, 'settings.timezone'),
    weekStart: Number(fieldValue(form, 'settings.weekStart')),
    locale: fieldValue(form, 'settings.locale').trim(),
  });
  // Update the preview as the person edits, before anything is saved.
  queueMicrotask(() => {
    const form = output.closest('form');
    form?.addEventListener('input', () => (output.textContent = preview(read(form))));
    form?.addEventListener('change', () => (output.textContent = preview(read(form))));
  });
  return { fields, read };
}
