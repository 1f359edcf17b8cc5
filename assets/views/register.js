// views/register.js — buyer self-registration (#/register). The time zone is preselected
// from the browser; on success the page says the account waits for organizer approval.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { countryName, getLang, languageName, onLangChange, t, zoneCity } from '../i18n.js';
import {
  COUNTRY_CODES, FEATURED_COUNTRIES, INTEREST_TAGS, SPOKEN_LANGUAGES, browserTimeZone, timeZones, zoneOffset,
} from '../countries.js';
import { errorBox, field, setBusy, showError } from './forms.js';
import { authLayout } from './layout.js';
import { rememberApplication } from './waiting.js';

export function mountRegister(root) {
  const input = (props) => h('input', { ...props, testid: `register-${props.name}` });
  const email = input({ type: 'email', name: 'email', required: true, autocomplete: 'email' });
  const password = input({ type: 'password', name: 'password', required: true, minLength: 8, autocomplete: 'new-password' });
  const name = input({ type: 'text', name: 'name', required: true, autocomplete: 'name', maxLength: 200 });
  const company = input({ type: 'text', name: 'company_name', required: true, autocomplete: 'organization', maxLength: 200 });

  const country = h('select', { name: 'country', required: true, testid: 'register-country' });
  const fillCountries = () => {
    const chosen = country.value;
    const byName = (a, b) => countryName(a).localeCompare(countryName(b), getLang());
    const option = (code) => h('option', { value: code, text: countryName(code) });
    replaceChildren(country,
      h('option', { value: '', text: t('field.countryChoose'), disabled: true }),
      h('optgroup', { label: t('field.countryFeatured') }, FEATURED_COUNTRIES.map(option)),
      h('optgroup', { label: t('field.countryAll') },
        COUNTRY_CODES.filter((c) => c !== 'KR').sort(byName).map(option)));
    country.value = chosen;
  };
  fillCountries();
  country.value = '';

  // Zones by UTC offset, then by their city's name in the UI language: "Сеул (GMT+9)".
  const zone = browserTimeZone();
  const timezone = h('select', { name: 'timezone', required: true, testid: 'register-timezone' });
  const fillZones = () => {
    const chosen = timezone.value || zone;
    const zones = timeZones(zone).map((z) => ({ z, city: zoneCity(z), ...zoneOffset(z) }))
      .sort((a, b) => a.minutes - b.minutes || a.city.localeCompare(b.city, getLang()));
    replaceChildren(timezone, zones.map(({ z, city, label }) => h('option', { value: z, text: `${city} (${label})` })));
    timezone.value = chosen;
  };
  fillZones();

  const browserLang = (navigator.language || 'en').toLowerCase().split('-')[0];
  const languageBoxes = SPOKEN_LANGUAGES.map((tag) => {
    const box = h('input', { type: 'checkbox', name: 'languages', value: tag, checked: tag === browserLang || tag === 'en' });
    const label = h('span', { text: languageName(tag) });
    return { tag, box, label, el: h('label', { class: 'chip-check' }, box, label) };
  });
  const interestBoxes = INTEREST_TAGS.map((tag) => {
    const box = h('input', { type: 'checkbox', name: 'interests', value: tag });
    return { tag, box, el: h('label', { class: 'chip-check' }, box, h('span', { i18n: `interest.${tag}` })) };
  });
  const share = h('input', { type: 'checkbox', name: 'share_contact', testid: 'register-share_contact' });

  const error = errorBox('register-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'register-submit', i18n: 'register.submit' });

  const form = h('form', { class: 'form form-grid', testid: 'register-form' },
    field('field.name', name),
    field('field.company', company),
    field('field.email', email),
    field('field.password', password, { hintKey: 'field.passwordHint' }),
    field('field.country', country),
    field('field.timezone', timezone, { hintKey: 'field.timezoneHint' }),
    h('fieldset', { class: 'field span-2' },
      h('legend', { class: 'field-label', i18n: 'field.languages' }),
      h('div', { class: 'chip-row' }, languageBoxes.map((l) => l.el))),
    h('fieldset', { class: 'field span-2' },
      h('legend', { class: 'field-label', i18n: 'field.interests' }),
      h('div', { class: 'chip-row' }, interestBoxes.map((i) => i.el))),
    h('label', { class: 'check span-2' }, share, h('span', { i18n: 'field.shareContact' })),
    h('div', { class: 'span-2' }, error),
    h('div', { class: 'span-2' }, submit));

  const card = h('div', { class: 'card auth-card auth-card-wide', testid: 'register-page' },
    h('h1', { i18n: 'register.title' }),
    h('p', { class: 'muted', i18n: 'register.subtitle' }),
    form,
    h('p', { class: 'auth-switch' },
      h('span', { i18n: 'register.haveAccount' }), ' ',
      h('a', { href: '#/login', i18n: 'register.signInLink' })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, null);
    if (password.value.length < 8) {
      showError(error, { code: 'password_short' });
      password.focus();
      return;
    }
    const body = {
      email: email.value.trim(),
      password: password.value,
      name: name.value.trim(),
      company_name: company.value.trim(),
      country: country.value,
      timezone: timezone.value,
      languages: languageBoxes.filter((l) => l.box.checked).map((l) => l.tag),
      interests: interestBoxes.filter((i) => i.box.checked).map((i) => i.tag),
      share_contact: share.checked,
    };
    setBusy(submit, true, 'register.submitting', 'register.submit');
    try {
      const profile = await api.register(body);
      // The waiting page tells what happens next, as it will after a sign-in before approval.
      rememberApplication({ code: 'account_pending', application: { registered_ms: Date.now() } }, profile.email);
      replaceChildren(card,
        h('div', { class: 'done-mark', attrs: { 'aria-hidden': 'true' } }),
        h('h1', { i18n: 'register.doneTitle', testid: 'register-done' }),
        h('p', { class: 'muted', i18n: 'register.doneText', i18nArgs: { name: profile.name, email: profile.email } }),
        h('p', {}, h('a', { href: '#/waiting', testid: 'register-what-next', i18n: 'register.whatNext' })),
        h('a', { href: '#/login', class: 'btn btn-primary', i18n: 'register.backToSignIn' }));
    } catch (err) {
      showError(error, err);
      setBusy(submit, false, 'register.submitting', 'register.submit');
    }
  });

  root.append(authLayout(card));
  name.focus();

  const offLang = onLangChange(() => {
    fillCountries();
    fillZones();
    for (const l of languageBoxes) l.label.textContent = languageName(l.tag);
  });
  return offLang;
}
