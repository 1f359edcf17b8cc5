// views/scanner.js — the onsite check-in scanner (#/scanner, organizers and exhibitor staff):
// a phone's camera reads the QR code of a visitor's badge (getUserMedia into a <video>, each
// frame drawn into a canvas and decoded with jsQR, vendored), or the badge code is typed.
// Every code read is a check-in (POST /api/v1/checkins): organizers choose where they stand —
// the entrance or any booth — and staff scan at their own booth (a booth scan is an onsite
// booth visit: the visitor becomes a lead). The page shows who was checked in (name, company,
// country, place) or why not, clearly, and lists this session's scans, newest first.
//
// The camera needs a secure page (https, or localhost); where there is none, typing works.
// The camera block is scanner-camera.js.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { countryName, formatTime, onLangChange, t } from '../i18n.js';
import { forbiddenPage, initials, pageError, roleBadge } from './common.js';
import { errorBox, showError } from './forms.js';
import { badgeCamera } from './scanner-camera.js';

const PLACE_KEY = 'expo.scanPlace';
const SCAN_ERRORS = { [ERROR_CODES.NOT_FOUND]: 'scan.notFound', [ERROR_CODES.FORBIDDEN]: 'scan.forbidden', [ERROR_CODES.VALIDATION]: 'scan.notFound' };

/** This tab's scans, per signed-in person, kept while the app runs (newest first). */
const sessionScans = new Map();

export function mountScanner(root, ctx) {
  const { session } = ctx;
  const me = session.user;
  if (me.role !== 'organizer' && me.role !== 'exhibitor') {
    forbiddenPage(root, 'scan.onlyStaff');
    return null;
  }
  if (me.role === 'exhibitor' && !me.company_id) {
    forbiddenPage(root, 'console.noCompany');
    return null;
  }
  if (!sessionScans.has(me.id)) sessionScans.set(me.id, []);
  const scans = sessionScans.get(me.id);
  const organizer = me.role === 'organizer';

  const companies = new Map(); // id → name
  let disposed = false;
  let busy = false;

  const error = pageError('scanner-error', () => loadPlaces());

  // ------------------------------------------------------------ where
  const placeSelect = h('select', {
    testid: 'scan-place', name: 'place',
    on: {
      change: () => {
        try {
          sessionStorage.setItem(PLACE_KEY, placeSelect.value);
        } catch {
          // Not remembered.
        }
        renderPlace();
      },
    },
  }, h('option', { value: '', i18n: 'scan.entrance' }));
  const placeNote = h('p', { class: 'muted small', testid: 'scan-place-note' });
  const placeBox = organizer
    ? h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'scan.place' }), placeSelect, placeNote)
    : h('div', { class: 'scan-place-fixed' },
      h('span', { class: 'field-label', i18n: 'scan.place' }),
      h('strong', { testid: 'scan-place-fixed', i18n: 'scan.yourBooth' }),
      placeNote);

  function placeCompany() {
    if (!organizer) return me.company_id;
    return placeSelect.value ? Number(placeSelect.value) : null;
  }

  function placeName(companyId) {
    return companyId ? companies.get(companyId) || `#${companyId}` : t('scan.entrance');
  }

  function renderPlace() {
    const companyId = placeCompany();
    placeNote.dataset.i18n = companyId ? 'scan.boothNote' : 'scan.entranceNote';
    placeNote.textContent = t(placeNote.dataset.i18n);
    if (!organizer && companies.has(me.company_id)) {
      const fixed = placeBox.querySelector('[data-testid="scan-place-fixed"]');
      delete fixed.dataset.i18n;
      fixed.textContent = companies.get(me.company_id);
    }
  }

  async function loadPlaces() {
    error.hide();
    try {
      if (organizer) {
        const [list, halls] = await Promise.all([api.companies(), api.halls()]);
        if (disposed) return;
        const byHall = new Map((halls.halls || []).map((hall) => [hall.id, { name: hall.name, companies: [] }]));
        const other = { name: t('scan.otherBooths'), companies: [] };
        for (const c of list.companies || []) {
          companies.set(c.id, c.name);
          (byHall.get(c.hall_id) || other).companies.push(c);
        }
        const saved = (() => {
          try {
            return sessionStorage.getItem(PLACE_KEY) || '';
          } catch {
            return '';
          }
        })();
        replaceChildren(placeSelect,
          h('option', { value: '', i18n: 'scan.entrance' }),
          [...byHall.values(), other].filter((g) => g.companies.length).map((g) => h('optgroup', { label: g.name },
            g.companies.map((c) => h('option', { value: String(c.id), text: c.name })))));
        placeSelect.value = companies.has(Number(saved)) ? saved : '';
      } else {
        const data = await api.company(me.company_id);
        if (disposed) return;
        companies.set(me.company_id, data.company.name);
      }
      renderPlace();
      renderHistory();
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  // ------------------------------------------------------------ camera
  const camera = badgeCamera({ isBusy: () => busy, onCode: (code) => checkIn(code, 'camera') });

  // ------------------------------------------------------------ typed
  const codeInput = h('input', {
    type: 'text', name: 'badge_code', testid: 'scan-code', autocomplete: 'off', spellcheck: false,
    attrs: { autocapitalize: 'characters', inputmode: 'text' }, i18nAttr: { placeholder: 'scan.codePlaceholder', 'aria-label': 'scan.codeLabel' },
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'scan-submit', i18n: 'scan.checkIn' });
  const typedError = errorBox('scan-code-error');
  const typedForm = h('form', {
    class: 'scan-typed', testid: 'scan-form',
    on: {
      submit: (event) => {
        event.preventDefault();
        const code = codeInput.value.trim();
        if (!code) {
          showError(typedError, { code: 'empty' }, { empty: 'scan.emptyCode' });
          codeInput.focus();
          return;
        }
        showError(typedError, null);
        checkIn(code, 'typed');
      },
    },
  },
  h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'scan.codeLabel' }),
    h('span', { class: 'scan-typed-row' }, codeInput, submit)),
  typedError);

  // ------------------------------------------------------------ result and history
  const resultEl = h('section', { class: 'card scan-result', testid: 'scan-result', hidden: true, attrs: { 'aria-live': 'assertive' } });
  const historyList = h('ol', { class: 'scan-history', testid: 'scan-history' });
  const historyCount = h('span', { class: 'count-pill muted-pill', testid: 'scan-count', text: '0' });

  function personLine(user) {
    return [user.company_name, user.country ? countryName(user.country) : null].filter(Boolean).join(' · ');
  }

  function showResult(entry) {
    resultEl.hidden = false;
    const repeat = entry.ok && Boolean(entry.checkin.first_at_ms);
    resultEl.dataset.state = entry.ok ? 'ok' : 'error';
    resultEl.dataset.repeat = String(repeat);
    resultEl.classList.remove('flash');
    void resultEl.offsetWidth;
    resultEl.classList.add('flash');
    if (entry.ok) {
      const { user } = entry.checkin;
      replaceChildren(resultEl,
        h('div', { class: 'scan-result-head' },
          h('span', { class: ['scan-mark', repeat ? 'is-repeat' : 'is-ok'], attrs: { 'aria-hidden': 'true' }, text: repeat ? '↻' : '✓' }),
          h('div', {},
            repeat
              ? h('p', { class: 'scan-result-title', testid: 'scan-result-repeat', dataset: { firstAt: String(entry.checkin.first_at_ms) },
                i18n: 'scan.repeat', i18nArgs: { time: formatTime(entry.checkin.first_at_ms) } })
              : h('p', { class: 'scan-result-title', i18n: 'scan.checkedIn' }),
            h('h2', { class: 'scan-result-name', testid: 'scan-result-name', text: user.name }))),
        h('div', { class: 'scan-result-who' },
          h('span', { class: `avatar role-${user.role}`, text: initials(user.name), attrs: { 'aria-hidden': 'true' } }),
          h('dl', { class: 'facts' },
            h('dt', { i18n: 'scan.role' }), h('dd', {}, roleBadge(user.role, 'scan-result-role')),
            h('dt', { i18n: 'field.company' }), h('dd', { testid: 'scan-result-company', text: user.company_name || '—' }),
            h('dt', { i18n: 'field.country' }), h('dd', { testid: 'scan-result-country', title: user.country || '', text: user.country ? countryName(user.country) : '—' }),
            h('dt', { i18n: 'scan.place' }), h('dd', { testid: 'scan-result-place', dataset: { place: entry.checkin.place } }, placeName(entry.checkin.company_id)),
            h('dt', { i18n: 'scan.time' }), h('dd', { text: formatTime(entry.checkin.at_ms) }))));
    } else {
      const message = h('p', { class: 'scan-result-error', testid: 'scan-result-error' });
      showError(message, entry.error, SCAN_ERRORS);
      replaceChildren(resultEl,
        h('div', { class: 'scan-result-head' },
          h('span', { class: 'scan-mark is-error', attrs: { 'aria-hidden': 'true' }, text: '!' }),
          h('div', {},
            h('p', { class: 'scan-result-title', i18n: 'scan.notCheckedIn' }),
            message,
            h('p', { class: 'muted small' }, h('span', { i18n: 'scan.codeRead' }), ' ', h('code', { testid: 'scan-result-code', text: entry.code })))));
    }
  }

  function renderHistory() {
    historyCount.textContent = String(scans.filter((s) => s.ok).length);
    historyCount.classList.toggle('muted-pill', scans.length === 0);
    if (!scans.length) {
      replaceChildren(historyList, h('li', { class: 'muted small', testid: 'scan-history-empty', i18n: 'scan.noScans' }));
      return;
    }
    replaceChildren(historyList, scans.map((entry) => {
      if (!entry.ok) {
        return h('li', { class: 'scan-row is-error', testid: 'scan-row', dataset: { state: 'error' } },
          h('span', { class: 'scan-mark is-error small', text: '!' }),
          h('span', { class: 'scan-row-main' },
            h('code', { text: entry.code }),
            h('span', { class: 'muted small', text: t(SCAN_ERRORS[entry.error.code] || 'scan.failed') })),
          h('time', { class: 'muted small', text: formatTime(entry.at) }));
      }
      const { user, place, company_id: companyId, at_ms: at } = entry.checkin;
      const again = Boolean(entry.checkin.first_at_ms);
      return h('li', { class: 'scan-row', testid: 'scan-row', dataset: { state: 'ok', repeat: String(again), place, userId: String(user.id) } },
        h('span', { class: ['scan-mark', 'small', again ? 'is-repeat' : 'is-ok'], text: again ? '↻' : '✓' }),
        h('span', { class: 'scan-row-main' },
          h('strong', { testid: 'scan-row-name', text: user.name }),
          h('span', { class: 'muted small', text: [personLine(user), placeName(companyId)].filter(Boolean).join(' · ') }),
          again ? h('span', { class: 'small scan-row-repeat', i18n: 'scan.repeat', i18nArgs: { time: formatTime(entry.checkin.first_at_ms) } }) : null),
        h('span', { class: 'scan-row-side' },
          h('span', { class: 'badge badge-soft', text: entry.via === 'camera' ? t('scan.viaCamera') : t('scan.viaTyped') }),
          h('time', { class: 'muted small', text: formatTime(at) })));
    }));
  }

  async function checkIn(code, via) {
    if (busy) return;
    busy = true;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    const companyId = organizer ? placeCompany() : null; // staff: the server takes their booth
    try {
      const checkin = await api.checkIn(code, companyId);
      if (disposed) return;
      const entry = { ok: true, code, via, checkin, at: checkin.at_ms };
      scans.unshift(entry);
      showResult(entry);
      if (via === 'typed') codeInput.value = '';
      navigator.vibrate?.(60);
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      const entry = { ok: false, code, via, error: { code: e.code, message: e.message }, at: Date.now() };
      scans.unshift(entry);
      showResult(entry);
      if (via === 'typed') codeInput.select();
    } finally {
      if (scans.length > 200) scans.length = 200;
      busy = false;
      if (!disposed) {
        submit.disabled = false;
        submit.removeAttribute('aria-busy');
        renderHistory();
      }
    }
  }

  // ------------------------------------------------------------ page
  root.append(h('main', { class: 'page scanner-page', testid: 'scanner', dataset: { role: me.role } },
    h('div', { class: 'page-top' },
      h('div', {}, h('h1', { i18n: 'scan.title' }), h('p', { class: 'muted', i18n: organizer ? 'scan.introOrganizer' : 'scan.introStaff' })),
      h('span', { class: 'page-top-actions' },
        organizer
          ? h('a', { class: 'btn btn-ghost btn-small', href: '#/dashboard', i18n: 'nav.dashboard' })
          : h('a', { class: 'btn btn-ghost btn-small', href: '#/leads', i18n: 'nav.leads' }))),
    error.el,
    h('div', { class: 'scanner-layout' },
      h('div', { class: 'scanner-main' },
        h('section', { class: 'card scan-card' },
          placeBox,
          camera.el,
          h('div', { class: 'scan-or' }, h('span', { i18n: 'common.or' })),
          typedForm)),
      h('div', { class: 'scanner-side' },
        resultEl,
        h('section', { class: 'card' },
          h('div', { class: 'section-head' }, h('h2', { i18n: 'scan.historyTitle' }), historyCount),
          historyList)))));

  renderPlace();
  renderHistory();
  loadPlaces();
  const offLang = onLangChange(() => {
    renderPlace();
    renderHistory();
    const last = scans[0];
    if (last && !resultEl.hidden) showResult(last);
  });

  return () => {
    disposed = true;
    offLang();
    camera.destroy();
  };
}
