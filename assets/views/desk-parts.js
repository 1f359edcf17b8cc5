// views/desk-parts.js — what the organizers' people-desk pages share: the tab bar between
// People (#/people), Invitations (#/invitations) and Import (#/import), a status badge, and
// labels for sourcing interests (taxonomy concepts, named in the page's language).

import { api } from '../api.js';
import { h } from '../dom.js';
import { getLang, hasKey, t } from '../i18n.js';

const TABS = [
  ['#/people', 'desk.people', 'desk-tab-people'],
  ['#/invitations', 'desk.invitations', 'desk-tab-invitations'],
  ['#/import', 'desk.import', 'desk-tab-import'],
];

/** The desk's tab bar, with `current` (a hash) marked. */
export function deskTabs(current) {
  return h('nav', { class: 'desk-tabs', testid: 'desk-tabs', i18nAttr: { 'aria-label': 'desk.label' } },
    TABS.map(([href, key, testid]) => h('a', {
      href, class: ['desk-tab', href === current && 'is-current'], testid, i18n: key,
      attrs: { 'aria-current': href === current ? 'page' : null },
    })));
}

/** An account's status as a badge (pending, active, disabled, rejected). */
export function statusBadge(user) {
  const status = user.status === 'disabled' && user.rejection_reason ? 'rejected' : user.status;
  const key = {
    pending: 'people.status.pending', active: 'people.status.active',
    disabled: 'people.status.disabled', rejected: 'people.status.rejected',
  }[status] || 'people.status.active';
  return h('span', { class: ['badge', 'status-badge', `is-${status}`], testid: 'status-badge', dataset: { status }, i18n: key });
}

let conceptCache = { lang: '', labels: null };

/** Concept id → label in the page's language (from the fair's taxonomy), loaded once a language. */
export async function conceptLabels() {
  const lang = getLang();
  if (conceptCache.lang === lang && conceptCache.labels) return conceptCache.labels;
  try {
    const view = await api.taxonomy(lang);
    conceptCache = { lang, labels: new Map(view.concepts.map((c) => [c.id, c.label])) };
  } catch {
    conceptCache = { lang, labels: new Map() };
  }
  return conceptCache.labels;
}

/** A sourcing interest's label: the taxonomy's, the hall industry's, or the tag itself. */
export function interestLabel(tag, labels) {
  if (labels?.has(tag)) return labels.get(tag);
  return hasKey(`interest.${tag}`) ? t(`interest.${tag}`) : tag;
}
