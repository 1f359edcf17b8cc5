// views/leads.js — a booth's leads (#/leads for exhibitors; organizers: #/leads/{company_id}):
// the buyers who visited and agreed to share their contact, how often and how long they
// stayed, and what they opened; the buyers who asked for a quote or a sample (from a stage
// show or the booth, consenting to share their contact) with their requests; counts for the
// visitors who stayed anonymous; a CSV
// download (a plain same-origin link: the session cookie authenticates it). Times are
// shown in the viewer's own time zone. A visitor entering or leaving the booth (booth_live
// in the room booth:{id}) refreshes the table, and so does a quote or sample request
// (quote_requested in the staff member's user:{id}).
//
// The company's own staff also keep, per lead, a follow-up state, a rating, tags and notes
// (an editor in a dialog), and go from a lead to a private message or a meeting invitation.
// Organizers see the leads without these.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { countryName, formatNumber, formatTime, onLangChange, t, zoneCity } from '../i18n.js';
import { errorBox, showError } from './forms.js';
import {
  forbiddenPage, formatDateTime, formatDuration, languageChips, pageError, viewerTimeZone, whereLine,
} from './common.js';

const KIND_ORDER = { brochure: 0, product: 1, video: 2, photo: 3 };
const FOLLOWUPS = ['new', 'contacted', 'meeting', 'won', 'lost'];

export function mountLeads(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  if (me.role !== 'exhibitor' && me.role !== 'organizer') {
    forbiddenPage(root, 'leads.onlyExhibitors');
    return null;
  }
  if (me.role === 'organizer' && !arg) {
    ctx.navigate('#/console');
    return null;
  }
  const companyId = Number(arg || me.company_id);
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    forbiddenPage(root, 'console.noCompany');
    return null;
  }

  let report = null;
  let loadedAt = null;
  let seq = 0;
  let disposed = false;
  let refreshTimer = null;

  const companyEl = h('p', { class: 'muted', testid: 'leads-company' });
  const refreshButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'leads-refresh', i18n: 'leads.refresh', on: { click: () => load() } });
  const csvLink = h('a', {
    class: 'btn btn-primary btn-small', testid: 'leads-csv', href: api.leadsCsvUrl(companyId),
    i18n: 'leads.csv', attrs: { download: `leads-${companyId}.csv` },
  });
  const ownStaff = me.role === 'exhibitor' && me.company_id === companyId;
  const error = pageError('leads-error', () => load());
  const followFilter = h('select', {
    testid: 'leads-followup-filter', i18nAttr: { 'aria-label': 'leads.filterFollowup' },
    on: { change: () => render() },
  }, h('option', { value: '', i18n: 'leads.followupAll' }), FOLLOWUPS.map((f) => h('option', { value: f, i18n: `leads.followup.${f}` })));
  const editor = leadEditor();
  const summaryEl = h('section', { class: 'stats stats-4', testid: 'leads-summary' });
  const zoneEl = h('p', { class: 'muted small', testid: 'leads-zone' });
  const tableWrap = h('div', { class: 'table-wrap card', testid: 'leads-table-wrap' }, h('p', { class: 'muted', i18n: 'common.loading' }));

  root.append(h('main', { class: 'page leads-page', testid: 'leads', dataset: { companyId: String(companyId) } },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'leads.title' }), companyEl),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', href: me.role === 'organizer' ? `#/console/${companyId}` : '#/console', i18n: 'nav.myBoothShort' }),
        refreshButton,
        csvLink)),
    error.el,
    summaryEl,
    h('div', { class: 'leads-bar' }, zoneEl, ownStaff ? h('label', { class: 'field inline-field' },
      h('span', { class: 'field-label', i18n: 'leads.filterFollowup' }), followFilter) : null),
    tableWrap,
    editor.dialog));

  function stat(testid, value, key) {
    return h('div', { class: 'stat', testid },
      h('span', { class: 'stat-value', text: formatNumber(value ?? 0) }),
      h('span', { class: 'stat-label', i18n: key }));
  }

  /** What a lead opened, one line per item (opened again: "×3"), first opened first. */
  function openedList(items) {
    if (!items?.length) return h('span', { class: 'muted small', text: '—' });
    const byItem = new Map();
    for (const item of items) {
      const key = `${item.kind}:${item.item_id}`;
      const seen = byItem.get(key);
      if (seen) {
        seen.times += 1;
        seen.first = Math.min(seen.first, item.opened_ms);
        seen.last = Math.max(seen.last, item.opened_ms);
      } else {
        byItem.set(key, { ...item, times: 1, first: item.opened_ms, last: item.opened_ms });
      }
    }
    const sorted = [...byItem.values()].sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.first - b.first);
    return h('ul', { class: 'opened-list', testid: 'lead-opened' }, sorted.map((item) => h('li', {
      dataset: { kind: item.kind, itemId: String(item.item_id), times: String(item.times) },
      title: item.times > 1 ? `${formatDateTime(item.first)} – ${formatDateTime(item.last)}` : formatDateTime(item.first),
    },
    h('span', { class: `kind-badge kind-${item.kind}`, i18n: `leads.kind.${item.kind}` }),
    h('span', { class: 'opened-title', text: item.title || `#${item.item_id}` }),
    item.times > 1 ? h('span', { class: 'opened-times', text: `×${item.times}` }) : null,
    h('time', { class: 'muted small', attrs: { datetime: new Date(item.last).toISOString() }, text: formatTime(item.last) }))));
  }

  /** The quote and sample requests a lead sent (with consent to share their contact). */
  function requestList(requests) {
    if (!requests?.length) return null;
    return h('ul', { class: 'opened-list request-list', testid: 'lead-requests' }, requests.map((request) => h('li', {
      dataset: { kind: request.kind, requestId: String(request.id), showId: request.show_id ? String(request.show_id) : '' },
      title: request.message || '',
    },
    h('span', { class: `kind-badge kind-${request.kind}`, i18n: `leads.kind.${request.kind}` }),
    h('span', { class: 'opened-title', text: request.product_name || '—' }),
    request.quantity ? h('span', { class: 'opened-times', text: request.quantity }) : null,
    h('time', { class: 'muted small', attrs: { datetime: new Date(request.created_ms).toISOString() }, text: formatDateTime(request.created_ms) }))));
  }

  /** What a lead opened and asked for. */
  function interestCell(lead) {
    const requests = requestList(lead.quote_requests);
    if (requests && !lead.opened?.length) return requests;
    return [openedList(lead.opened), requests];
  }

  // ------------------------------------------------------------ the follow-up of one lead
  /** Stars as text ("★★★☆☆"), read out as "4 of 5". */
  function stars(rating) {
    if (!rating) return h('span', { class: 'muted small', testid: 'lead-rating', dataset: { rating: '0' }, i18n: 'leads.notRated' });
    return h('span', { class: 'lead-stars', testid: 'lead-rating', dataset: { rating: String(rating) }, attrs: { role: 'img' },
      i18nAttr: { 'aria-label': 'leads.ratingOf' }, i18nArgs: { n: rating } }, '★'.repeat(rating) + '☆'.repeat(5 - rating));
  }

  function followCell(lead) {
    return h('div', { class: 'lead-follow' },
      h('span', { class: `follow-badge follow-${lead.followup}`, testid: 'lead-followup', dataset: { followup: lead.followup }, i18n: `leads.followup.${lead.followup}` }),
      stars(lead.rating),
      lead.tags?.length ? h('span', { class: 'tags', testid: 'lead-tags' }, lead.tags.map((tag) => h('span', { class: 'tag tag-own', text: tag }))) : null,
      lead.notes ? h('p', { class: 'lead-notes small', testid: 'lead-notes', text: lead.notes }) : null,
      h('span', { class: 'lead-actions' },
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'lead-edit', i18n: 'leads.edit',
          i18nAttr: { 'aria-label': 'leads.editOf' }, i18nArgs: { name: lead.name }, on: { click: () => editor.open(lead) } }),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'lead-message', i18n: 'leads.message',
          i18nAttr: { 'aria-label': 'leads.messageTo' }, i18nArgs: { name: lead.name }, on: { click: (event) => messageLead(lead, event.currentTarget) } }),
        h('a', { class: 'btn btn-primary btn-small', testid: 'lead-book',
          href: `#/meetings/book/${companyId}?buyer=${lead.user_id}&name=${encodeURIComponent(lead.name)}`,
          i18n: 'leads.book', i18nAttr: { 'aria-label': 'leads.bookWith' }, i18nArgs: { name: lead.name } })));
  }

  async function messageLead(lead, button) {
    button.disabled = true;
    try {
      const info = await session.chat.open(`private:${companyId}:${lead.user_id}`);
      ctx.navigate(`#/inbox/${info.id}`);
    } catch (e) {
      button.disabled = false;
      if (!ctx.handleAuthError(e)) error.show(e);
    }
  }

  /** The dialog where staff keep a lead's follow-up, rating, tags and notes. */
  function leadEditor() {
    let lead = null;
    const title = h('h2', { testid: 'lead-editor-title' });
    const follow = h('select', { testid: 'lead-editor-followup', name: 'followup' },
      FOLLOWUPS.map((f) => h('option', { value: f, i18n: `leads.followup.${f}` })));
    const rating = h('select', { testid: 'lead-editor-rating', name: 'rating' },
      h('option', { value: '', i18n: 'leads.notRated' }),
      [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n), text: `${'★'.repeat(n)} (${n})` })));
    const tags = h('input', { type: 'text', testid: 'lead-editor-tags', name: 'tags', maxLength: 500, autocomplete: 'off' });
    const notes = h('textarea', { testid: 'lead-editor-notes', name: 'notes', rows: 5, maxLength: 4000 });
    const formError = errorBox('lead-editor-error');
    const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'lead-editor-save', i18n: 'leads.save' });
    const field = (key, control, hint) => h('label', { class: 'field' },
      h('span', { class: 'field-label', i18n: key }), control, hint ? h('span', { class: 'field-hint', i18n: hint }) : null);
    const form = h('form', { class: 'form', testid: 'lead-editor', attrs: { novalidate: true } },
      field('leads.followupLabel', follow),
      field('leads.rating', rating),
      field('leads.tags', tags, 'leads.tagsHint'),
      field('leads.notes', notes),
      formError,
      h('div', { class: 'form-actions' }, save,
        h('button', { type: 'button', class: 'btn btn-ghost', testid: 'lead-editor-cancel', i18n: 'common.close', on: { click: () => dialog.close() } })));
    const dialog = h('dialog', { class: 'drawer lead-dialog', testid: 'lead-dialog', attrs: { 'aria-labelledby': 'lead-editor-title' } },
      h('div', { class: 'drawer-body' }, title, form));
    title.id = 'lead-editor-title';
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!lead) return;
      save.disabled = true;
      showError(formError, null);
      try {
        const saved = await api.annotateLead(companyId, lead.user_id, {
          followup: follow.value,
          rating: rating.value ? Number(rating.value) : null,
          tags: tags.value.split(',').map((tag) => tag.trim()).filter(Boolean),
          notes: notes.value,
        });
        const index = report.leads.findIndex((l) => l.user_id === saved.user_id);
        if (index >= 0) report.leads[index] = { ...report.leads[index], ...saved };
        dialog.close();
        render();
      } catch (e) {
        if (!ctx.handleAuthError(e)) showError(formError, e);
      } finally {
        save.disabled = false;
      }
    });
    return {
      dialog,
      open(which) {
        lead = which;
        title.textContent = t('leads.editorTitle', { name: which.name });
        follow.value = which.followup || 'new';
        rating.value = which.rating ? String(which.rating) : '';
        tags.value = (which.tags || []).join(', ');
        notes.value = which.notes || '';
        showError(formError, null);
        dialog.showModal();
        follow.focus();
      },
    };
  }

  function render() {
    if (!report) return;
    const wanted = followFilter.value;
    const all = [...(report.leads || [])].sort((a, b) => b.last_visit_ms - a.last_visit_ms);
    const leads = ownStaff && wanted ? all.filter((lead) => lead.followup === wanted) : all;
    replaceChildren(summaryEl,
      stat('leads-count', all.length, 'leads.count'),
      stat('leads-total-visits', report.total_visits, 'leads.totalVisits'),
      stat('leads-anon-visitors', report.anonymous_visitors, 'leads.anonVisitors'),
      stat('leads-anon-visits', report.anonymous_visits, 'leads.anonVisits'));
    zoneEl.textContent = t('leads.zone', { zone: zoneCity(viewerTimeZone()), time: loadedAt ? formatTime(loadedAt) : '' });
    if (!all.length) {
      replaceChildren(tableWrap, h('div', { class: 'empty-state', testid: 'leads-empty' },
        h('p', { i18n: 'leads.empty' }),
        h('p', { class: 'muted small', i18n: 'leads.emptyHint' })));
      return;
    }
    const th = (key, cls) => h('th', { scope: 'col', class: cls, i18n: key });
    replaceChildren(tableWrap, h('table', { class: 'leads-table', testid: 'leads-table' },
      h('thead', {}, h('tr', {},
        th('leads.col.visitor'), th('leads.col.profile'), th('leads.col.visits', 'num'), th('leads.col.first'),
        th('leads.col.last'), th('leads.col.dwell', 'num'), th('leads.col.opened'),
        ownStaff ? th('leads.col.followup') : null)),
      h('tbody', {}, leads.map((lead) => h('tr', { testid: 'lead-row', dataset: { userId: String(lead.user_id) } },
        h('td', {}, h('div', { class: 'lead-who' },
          h('strong', { class: 'lead-name', testid: 'lead-name', text: lead.name }),
          lead.email ? h('a', { class: 'small', href: `mailto:${lead.email}`, testid: 'lead-email', text: lead.email }) : null,
          lead.company_name ? h('span', { class: 'small', testid: 'lead-company', text: lead.company_name }) : null,
          lead.country ? h('span', { class: 'muted small', testid: 'lead-country', title: lead.country, text: countryName(lead.country) }) : null)),
        h('td', {}, h('div', { class: 'lead-profile' },
          languageChips(lead.languages),
          h('span', { class: 'tags' }, (lead.interests || []).map((tag) => {
            const key = `interest.${tag}`;
            return h('span', { class: 'tag', text: t(key) !== key ? t(key) : tag });
          })))),
        h('td', { class: 'num', testid: 'lead-visits', text: formatNumber(lead.visits) }),
        h('td', { class: 'nowrap', testid: 'lead-first', text: formatDateTime(lead.first_visit_ms) }),
        h('td', { class: 'nowrap', testid: 'lead-last', text: formatDateTime(lead.last_visit_ms) }),
        h('td', { class: 'num nowrap', testid: 'lead-dwell', dataset: { ms: String(lead.dwell_ms) }, text: formatDuration(lead.dwell_ms) }),
        h('td', {}, interestCell(lead)),
        ownStaff ? h('td', { class: 'lead-follow-cell' }, followCell(lead)) : null)))));
    tableWrap.dataset.shown = String(leads.length);
  }

  async function load() {
    const mine = ++seq;
    refreshButton.disabled = true;
    try {
      const [data, company] = await Promise.all([
        api.leads(companyId),
        companyEl.textContent ? null : api.company(companyId).catch(() => null),
      ]);
      if (mine !== seq || disposed) return;
      error.hide();
      report = data;
      loadedAt = Date.now();
      if (company) companyEl.textContent = `${company.company.name} · ${whereLine(company.company, company.hall_name)}`;
      render();
      tableWrap.dataset.loaded = String(Number(tableWrap.dataset.loaded || 0) + 1);
    } catch (e) {
      if (mine !== seq || disposed) return;
      if (ctx.handleAuthError(e)) return;
      error.show(e);
      if (!report) replaceChildren(tableWrap);
    } finally {
      if (mine === seq) refreshButton.disabled = false;
    }
  }

  load();

  // Someone came or went: their visit is in the leads now (after a short pause).
  const boothRoom = roomName(ROOM_KINDS.BOOTH, companyId);
  const unsubscribe = session.hub.subscribe(boothRoom, {
    onEvent(event) {
      if (event?.kind !== EVENTS.BOOTH_LIVE) return;
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(load, 1500);
    },
    onError(e) {
      console.warn(`${boothRoom} subscription refused`, e);
    },
  });
  // A quote or sample request for this company (in the staff member's personal room): its
  // sender is a lead now.
  const offQuotes = session.hub.on('event', (frame) => {
    const event = frame?.event;
    if (event?.kind !== EVENTS.QUOTE_REQUESTED || event.request?.company_id !== companyId) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, 300);
  });
  const offLang = onLangChange(() => render());

  return () => {
    disposed = true;
    clearTimeout(refreshTimer);
    unsubscribe();
    offQuotes();
    offLang();
  };
}
