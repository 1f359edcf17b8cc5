// views/common.js — pieces shared by the signed-in pages: avatars and role badges, safe
// links, booth cards (lobby results and recommendations) with their live state, language
// chips, date and duration formatting, and page-level error boxes.

import { h, replaceChildren } from '../dom.js';
import { countryName, formatDate, formatList, formatNumber, languageName, t } from '../i18n.js';
import { showError } from './forms.js';

/** Initials for an avatar: first letters of the first two words. */
export function initials(name) {
  return String(name || '?').trim().split(/\s+/).slice(0, 2)
    .map((word) => Array.from(word)[0] || '').join('').toUpperCase() || '?';
}

/** A role badge, translated. */
export function roleBadge(role, testid) {
  return h('span', { class: `badge role-${role}`, testid, i18n: `role.${role}` });
}

/** A URL safe to link to (http or https only), or null. */
export function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A media URL from the server: a same-origin path (/api/v1/media/3) or an http(s) link. */
export function mediaUrl(value) {
  if (typeof value !== 'string' || !value) return null;
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  return safeUrl(value);
}

/** A website shown without its scheme and trailing slash. */
export function shortUrl(url) {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/** Small chips naming languages (BCP 47 tags) in the UI language. */
export function languageChips(tags, testid) {
  return h('span', { class: 'lang-chips', testid },
    (tags || []).map((tag) => h('span', { class: 'lang-chip', dataset: { lang: tag }, title: languageName(tag), text: tag.toUpperCase() })));
}

/** Tags as chips. */
export function tagChips(tags) {
  // "!concept" tags are an exhibitor's veto on a search concept, not something to show.
  return h('div', { class: 'tags' }, (tags || []).filter((tag) => !tag.startsWith('!'))
    .map((tag) => h('span', { class: 'tag', text: tag })));
}

/** A logo image, or the company's initials on a tile when there is none. */
export function logo(company, size = '') {
  const url = mediaUrl(company.logo_url);
  return url
    ? h('img', { class: ['booth-logo', size], src: url, alt: '', attrs: { loading: 'lazy' } })
    : h('span', { class: ['booth-logo', 'is-placeholder', size], text: initials(company.name), attrs: { 'aria-hidden': 'true' } });
}

/** A date and time in the viewer's own time zone (and language). */
export function formatDateTime(ms) {
  if (!ms && ms !== 0) return '';
  return formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The viewer's own time zone, e.g. Asia/Vladivostok. */
export function viewerTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A duration as "1 h 4 min", "4 min 20 s" or "35 s", in the UI language. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.round((Number(ms) || 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts = [];
  if (hours) parts.push(t('duration.h', { n: hours }));
  if (minutes) parts.push(t('duration.min', { n: minutes }));
  if (!hours && (seconds || !minutes)) parts.push(t('duration.s', { n: seconds }));
  return parts.join(' ');
}

/** A byte count as "1.2 MB". */
export function formatBytes(n) {
  const bytes = Number(n) || 0;
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  // Under a kilobyte still reads as kilobytes ("0.6 kB"), like file managers do.
  let value = bytes / 1024;
  let unit = 1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  try {
    return formatNumber(value, {
      style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit ? 1 : 0,
    });
  } catch {
    return `${value.toFixed(unit ? 1 : 0)} ${['B', 'KB', 'MB', 'GB'][unit]}`;
  }
}

/** An error alert (hidden until showError fills it) with an optional retry button. */
export function pageError(testid, retry) {
  const message = h('span', { class: 'alert-message' });
  const box = h('div', { class: 'alert alert-error alert-row', testid, attrs: { role: 'alert' }, hidden: true },
    message,
    retry ? h('button', { type: 'button', class: 'btn btn-ghost btn-small', i18n: 'common.retry', on: { click: retry } }) : null);
  return {
    el: box,
    show(error) {
      showError(message, error);
      message.hidden = false;
      box.dataset.code = error?.code || 'unknown';
      box.hidden = false;
    },
    hide() {
      box.hidden = true;
    },
  };
}

/** "Hall A · Sokcho · South Korea" for a booth. */
export function whereLine(company, hallName) {
  return [hallName, company.region, countryName(company.country)].filter(Boolean).join(' · ');
}

/** The "N here now" pill of a booth card. */
function visitorsPill(count) {
  return h('span', {
    class: ['visitors-pill', count > 0 && 'is-busy'], testid: 'booth-visitors', dataset: { count: String(count) },
    i18n: 'booth.visitorsShort', i18nArgs: { count }, i18nAttr: { title: 'booth.visitorsNow' },
  });
}

/** The green "staffed now" dot of a booth card (grey when nobody is on duty). */
function staffedDot(staffed) {
  return h('span', {
    class: ['staffed-dot', staffed && 'is-on'], testid: 'booth-staffed', dataset: { staffed: String(staffed) },
    attrs: { role: 'img' }, i18nAttr: { title: staffed ? 'booth.staffedNow' : 'booth.notStaffed', 'aria-label': staffed ? 'booth.staffedNow' : 'booth.notStaffed' },
  });
}

/**
 * The one-line reason of a recommendation in the UI language. The server sends it as data
 * (RecommendationReason): concepts it makes, already labelled from the product taxonomy in
 * the language asked for; language codes its staff share with the buyer; staffed now.
 */
export function recommendationReason(reason) {
  if (!reason || typeof reason !== 'object') return '';
  const parts = [];
  const makes = (reason.makes || []).map((c) => c.label);
  if (makes.length) parts.push(t('recs.makes', { items: formatList(makes) }));
  const spoken = (reason.staff_speak || []).map((code) => languageName(code));
  if (spoken.length) parts.push(t('recs.staffSpeak', { languages: formatList(spoken) }));
  if (reason.staffed_now) parts.push(t('recs.staffedNow'));
  return parts.join(' · ');
}

/**
 * A booth card for lobby results and recommendations: the whole card links to the booth.
 * booth is a BoothSummary; reason (recommendations) is shown under the name, and so are the
 * products a search found (matched_products).
 */
export function boothCard(booth, { reason, testid = 'booth-card' } = {}) {
  const { company } = booth;
  return h('article', {
    class: ['booth-card', booth.staffed_now && 'is-staffed'], testid,
    dataset: { companyId: String(company.id), staffed: String(Boolean(booth.staffed_now)) },
  },
  h('a', { class: 'booth-link', href: `#/booth/${company.id}`, testid: 'booth-link' },
    h('div', { class: 'booth-card-head' },
      logo(company),
      h('div', { class: 'booth-card-title' },
        h('h3', { class: 'booth-name', testid: 'booth-name', text: company.name }),
        h('span', { class: 'booth-where', text: whereLine(company, booth.hall_name) })),
      staffedDot(Boolean(booth.staffed_now))),
    reason ? h('p', { class: 'rec-reason', testid: 'rec-reason', text: reason }) : null,
    (booth.matched_products || []).length
      ? h('p', { class: 'rec-reason', testid: 'booth-matches',
        text: t('search.matches', { items: formatList(booth.matched_products.map((p) => p.name)) }) })
      : null,
    company.tagline ? h('p', { class: 'booth-tagline', testid: 'booth-tagline', text: company.tagline }) : null,
    tagChips(company.tags),
    h('div', { class: 'booth-card-foot' },
      (booth.staff_languages || []).length
        ? h('span', { class: 'staff-langs' }, h('span', { class: 'sr-only', i18n: 'booth.staffSpeaks' }), languageChips(booth.staff_languages, 'booth-langs'))
        : h('span', { class: 'muted small', i18n: 'booth.noStaffLangs' }),
      h('span', { class: 'foot-right' },
        Number.isFinite(booth.product_count)
          ? h('span', { class: 'muted small', i18n: 'booth.productCount', i18nArgs: { count: booth.product_count } })
          : null,
        visitorsPill(booth.visitors_now ?? 0)))));
}

/** Applies a booth_live event to every card of that booth under root. */
export function applyLiveToCards(root, live) {
  if (!live || live.company_id === undefined) return 0;
  const cards = root.querySelectorAll(`[data-company-id="${CSS.escape(String(live.company_id))}"]`);
  for (const card of cards) {
    const staffed = (live.staff_on_duty || []).length > 0;
    card.dataset.staffed = String(staffed);
    card.classList.toggle('is-staffed', staffed);
    const pill = card.querySelector('[data-testid="booth-visitors"]');
    if (pill) pill.replaceWith(visitorsPill(live.visitors_now ?? 0));
    const dot = card.querySelector('[data-testid="booth-staffed"]');
    if (dot) dot.replaceWith(staffedDot(staffed));
    card.classList.remove('flash');
    void card.offsetWidth; // restart the highlight animation
    card.classList.add('flash');
  }
  return cards.length;
}

/** A person in a list: avatar, name, role badge, extras. */
export function personRow(user, ...extras) {
  return h('li', { class: 'person', dataset: { userId: String(user.id) } },
    h('span', { class: `avatar small role-${user.role}`, text: initials(user.name), attrs: { 'aria-hidden': 'true' } }),
    h('span', { class: 'person-main' },
      user.anonymous
        ? h('span', { class: 'person-name', i18n: 'presence.visitor' })
        : h('span', { class: 'person-name', text: user.name }),
      extras));
}

/** Replaces root's content with a signed-in page's "you may not see this" card. */
export function forbiddenPage(root, messageKey = 'error.forbidden') {
  replaceChildren(root, h('main', { class: 'page narrow' },
    h('div', { class: 'card', testid: 'forbidden' },
      h('h1', { i18n: 'page.forbiddenTitle' }),
      h('p', { class: 'muted', i18n: messageKey }),
      h('a', { href: '#/lobby', class: 'btn btn-primary', i18n: 'notfound.link' }))));
}

/** Calls fn at most once per `ms`, with the last arguments. */
export function debounce(fn, ms) {
  let timer = null;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}
