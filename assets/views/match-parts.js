// views/match-parts.js — what the matchmaking pages share (issue 13): the three-state mark
// control (must-meet / would-meet / no thanks) and mark badges, "who wants to meet you" from
// GET /api/v1/match/marks, buyer interests and countries in the UI language, slot times in
// the fair's zone, and the scheduler's reasons (a pair left out) and conflicts (a hand move
// refused) turned from a code with parameters into a sentence in the UI language.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { countryName, formatList, formatNumber, hasKey, languageName, t } from '../i18n.js';
import { errorBox, showError } from './forms.js';
import { clock, dayLabel } from './meeting-parts.js';
import { FAIR_ZONE } from './report-parts.js';

export const MARK_LEVELS = ['must_meet', 'would_meet', 'no_thanks'];

/** A mark as a small badge ("Must meet", or "Wants to meet you · Must meet"), or null for no mark. */
export function markBadge(level, testid = 'mark-badge', prefixKey = null) {
  if (!level) return null;
  return h('span', { class: ['badge', 'mark-badge', `mark-${level}`], testid, dataset: { level } },
    prefixKey ? [h('span', { i18n: prefixKey }), ' · '] : null,
    h('span', { i18n: `match.mark.${level}` }));
}

/**
 * The three-state mark control: one button per level, the current one pressed; pressing it
 * again takes the mark back. save(level|null) stores it and resolves; the control shows the
 * level once stored, and an error otherwise.
 */
export function markControl({ current = null, save, testid = 'mark-control', labelKey = 'match.mark.label' }) {
  let level = current;
  const error = errorBox(`${testid}-error`);
  const buttons = MARK_LEVELS.map((value) => h('button', {
    type: 'button', class: ['seg-btn', `mark-btn-${value}`], testid: `${testid}-${value}`, dataset: { level: value },
    i18n: `match.mark.${value}`,
    on: { click: () => choose(level === value ? null : value) },
  }));
  const el = h('div', { class: 'mark-control', testid, dataset: { level: level || '' } },
    h('span', { class: 'mark-control-label small muted', i18n: labelKey }),
    h('div', { class: 'seg', attrs: { role: 'group' }, i18nAttr: { 'aria-label': labelKey } }, buttons),
    error);
  function paint() {
    el.dataset.level = level || '';
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.level === level));
  }
  async function choose(next) {
    for (const button of buttons) button.disabled = true;
    error.hidden = true;
    try {
      await save(next);
      level = next;
      paint();
    } catch (e) {
      showError(error, e);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }
  paint();
  return {
    el,
    set(next) {
      level = next;
      paint();
    },
  };
}

/** A buyer's mark on a company (booth page): loads the current mark, then the control. */
export function buyerMarkBox(ctx, companyId) {
  const box = h('div', { class: 'mark-box', testid: 'booth-mark' }, h('p', { class: 'muted small', i18n: 'common.loading' }));
  api.matchMarks().then((view) => {
    const mine = (view.mine || []).find((m) => m.company_id === companyId);
    const theirs = (view.incoming || []).find((m) => m.company_id === companyId);
    const control = markControl({
      current: mine?.level || null,
      testid: 'booth-mark-control',
      labelKey: 'match.mark.boothLabel',
      save: (level) => api.setMatchMark({ company_id: companyId, level }),
    });
    replaceChildren(box, control.el,
      theirs ? h('p', { class: 'small mark-incoming', testid: 'booth-mark-incoming' }, markBadge(theirs.level, 'mark-badge', 'match.wantsYou')) : null);
  }, (error) => {
    if (ctx.handleAuthError(error)) return;
    replaceChildren(box);
  });
  return box;
}

/**
 * "Who wants to meet you": the other side's marks on me (GET /api/v1/match/marks incoming).
 * forBuyer: the companies that marked the buyer (links to their booths); else the buyers
 * that marked the exhibitor's company.
 */
export function wantsToMeetSection(ctx, { forBuyer, testid = 'wants-to-meet' }) {
  const list = h('ul', { class: 'wants-list', testid: `${testid}-list` });
  const section = h('section', { class: 'card wants-card', testid, hidden: true },
    h('h2', { i18n: 'match.wants.title' }),
    h('p', { class: 'muted small', i18n: forBuyer ? 'match.wants.hintBuyer' : 'match.wants.hintExhibitor' }),
    list);
  const load = async () => {
    try {
      const view = await api.matchMarks();
      const incoming = (view.incoming || []).filter((m) => m.level !== 'no_thanks');
      section.hidden = incoming.length === 0;
      section.dataset.count = String(incoming.length);
      replaceChildren(list, incoming.map((m) => h('li', { class: 'wants-row', testid: `${testid}-row`, dataset: { buyerId: String(m.buyer_id), companyId: String(m.company_id) } },
        forBuyer
          ? h('a', { href: `#/booth/${m.company_id}`, class: 'wants-name', text: m.company_name })
          : h('span', { class: 'wants-name' }, h('strong', { text: m.buyer_name }), m.buyer_company ? h('span', { class: 'muted small', text: ` · ${m.buyer_company}` }) : null),
        markBadge(m.level))));
    } catch (error) {
      if (ctx.handleAuthError(error)) return;
      section.hidden = true;
    }
  };
  load();
  return { el: section, reload: load };
}

// ---------------------------------------------------------------- names

/** A country (ISO 3166 alpha-2) named in the UI language. */
export function countryLabel(code) {
  return code ? countryName(code) : '';
}

/** A buyer interest (taxonomy concept id, HS code or interest tag) as a label. */
export function interestLabel(tag, concepts) {
  const concept = concepts?.get(tag);
  if (concept) return concept;
  if (hasKey(`interest.${tag}`)) return t(`interest.${tag}`);
  if (/^\d{2,10}$/.test(tag)) return t('match.hsCode', { code: tag });
  return tag;
}

/** Taxonomy concept labels in the UI language: Map(id → label). */
export async function conceptLabels(lang) {
  try {
    const view = await api.taxonomy(lang);
    return new Map((view.concepts || []).map((c) => [c.id, c.label]));
  } catch {
    return new Map();
  }
}

export function languagesList(tags) {
  return formatList((tags || []).map((tag) => languageName(tag)));
}

export function percent(value) {
  return formatNumber(Number(value) || 0, { style: 'percent', maximumFractionDigits: 0 });
}

/** A slot's start time in the fair's zone: "10:30". */
export function slotTime(slot) {
  return clock(slot.starts_ms, FAIR_ZONE);
}

/** A slot as "Tue, Dec 8 · 10:30" (fair zone). */
export function slotText(slot) {
  return slot ? `${dayLabel(slot.starts_ms, FAIR_ZONE)} · ${slotTime(slot)}` : '';
}

// ---------------------------------------------------------------- reasons and conflicts

/** Names the people of a run: who({kind, id}) and pair labels. */
export function runNames(run) {
  const buyers = new Map();
  const companies = new Map();
  const pairs = new Map();
  for (const p of run.pairs || []) {
    buyers.set(p.buyer_id, p.buyer_name);
    companies.set(p.company_id, p.company_name);
    pairs.set(p.id, p);
  }
  const interpreters = new Map(Object.entries(run.interpreters || {}).map(([id, name]) => [Number(id), name]));
  const days = [...new Set((run.slots || []).map((s) => s.day))].sort();
  const slots = new Map((run.slots || []).map((s) => [s.index, s]));
  const who = (w) => {
    if (!w) return '';
    const map = { buyer: buyers, company: companies, interpreter: interpreters }[w.kind];
    return map?.get(w.id) || `#${w.id}`;
  };
  const pairText = (id) => {
    const p = pairs.get(id);
    return p ? t('match.pairName', { buyer: p.buyer_name, company: p.company_name }) : `#${id}`;
  };
  const dayText = (index) => {
    const day = days[index];
    const slot = (run.slots || []).find((s) => s.day === day);
    return slot ? dayLabel(slot.starts_ms, FAIR_ZONE) : String(index + 1);
  };
  return { buyers, companies, interpreters, pairs, slots, who, pairText, dayText };
}

function languagePairs(list) {
  return formatList((list || []).map((l) => t('match.languagePair', { buyer: languageName(l.buyer), company: languageName(l.company) })));
}

/** A pair left out: its reason in the UI language. */
export function reasonText(reason, names) {
  const code = reason?.code || '';
  const b = reason?.blocked || {};
  const args = {
    who: Array.isArray(reason?.who) ? formatList(reason.who.map(names.who)) : names.who(reason?.who),
    buyerLanguages: languagesList(reason?.buyer_languages),
    companyLanguages: languagesList(reason?.company_languages),
    languages: languagePairs(reason?.languages),
    days: formatList((reason?.days || []).map(names.dayText)),
    company: names.companies.get(reason?.company) || '',
    buyer: names.buyers.get(reason?.buyer) || '',
    max: reason?.max_run ?? 0,
    blocked: 0,
    candidates: b.candidates ?? 0,
  };
  const counts = {
    company_capacity_full: b.company_full, buyer_fully_booked: b.buyer_busy, run_limit: b.run_limit,
    tables_full: b.tables_full, seats_full: b.seats_full, interpreters_busy: b.interpreters_busy,
  };
  args.blocked = counts[code] ?? 0;
  const key = `match.reason.${code}`;
  return hasKey(key) ? t(key, args) : t('match.reason.other');
}

/** A refused hand move's conflict in the UI language. */
export function conflictText(conflict, names) {
  const code = conflict?.code || '';
  const interpreter = names.interpreters.get(conflict?.interpreter) || '';
  const args = {
    who: names.who(conflict?.who),
    mode: conflict?.mode ? t(`match.mode.${conflict.mode}`) : '',
    slot: slotText(names.slots.get(conflict?.slot)),
    buyer: names.buyers.get(conflict?.buyer) || '',
    company: names.companies.get(conflict?.company) || '',
    pair: conflict?.pair ? names.pairText(conflict.pair) : formatList((conflict?.pairs || []).map(names.pairText)),
    interpreter,
    run: conflict?.run ?? 0,
    day: conflict?.day !== undefined ? names.dayText(conflict.day) : '',
  };
  const key = `match.conflict.${code}`;
  return hasKey(key) ? t(key, args) : t('match.conflict.other');
}

/** A list of conflicts, each a line. */
export function conflictList(conflicts, names, testid = 'match-conflict') {
  return (conflicts || []).map((c) => h('li', { class: 'conflict-row', testid, dataset: { code: c.code || '' }, text: conflictText(c, names) }));
}
