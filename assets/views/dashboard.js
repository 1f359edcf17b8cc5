// views/dashboard.js — the organizers' live dashboard (#/dashboard): big figures (online now,
// onsite, online and both today, meetings in progress, chat messages a minute, missed talk
// requests, unstaffed booths), Chart.js charts (online by role, by country, visitors per
// hall, today's meetings by state, and "online now" over time, gathered here from the live
// snapshots since the page opened), the stage (today's shows with their state, viewers now
// and peak, the same from every node), and every booth with its visitors and staff on duty.
//
// The first figures come from GET /api/v1/dashboard; then the page follows the hub room
// `dashboard` (organizers only), where the server pushes a DashboardSnapshot every few
// seconds. No polling: when the connection drops the page says so, and after a reconnect it
// fetches the figures once and follows the room again. Exhibitors are sent to their own
// figures (#/stats); buyers and interpreters are told the page is not for them.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { EVENTS, ROOMS } from '../gen/protocol.js';
import { countryName, formatDate, formatNumber, onLangChange, t } from '../i18n.js';
import { countScale, loadCharts, makeChart, PALETTE, ROLE_COLORS, STATE_COLORS } from './charts.js';
import { formatDateTime, forbiddenPage, pageError } from './common.js';
import { figureTile, meetingStateLabel } from './report-parts.js';
import { stateBadge } from './stage-parts.js';

const ROLES = ['buyer', 'exhibitor', 'interpreter', 'organizer'];
const MEETING_STATES = ['requested', 'confirmed', 'held', 'no_show', 'declined', 'cancelled', 'expired'];
/** How many snapshots the "online now" line keeps (an hour at the default 3 s). */
const HISTORY_LIMIT = 1200;
const TOP_COUNTRIES = 12;

function countryLabel(code) {
  return !code || code === '??' ? t('report.unknownCountry') : countryName(code);
}

function shorten(text, max) {
  const chars = Array.from(String(text ?? ''));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

function clockWithSeconds(ms) {
  return formatDate(ms, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

export function mountDashboard(root, ctx) {
  const { session } = ctx;
  const me = session.user;
  if (me.role === 'exhibitor') {
    // Exhibitors have their own booth's figures instead.
    ctx.navigate('#/stats');
    return null;
  }
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'dash.onlyOrganizers');
    return null;
  }

  let snapshot = null;
  const history = []; // {at, n}: online_now of every snapshot seen
  let charts = null;
  let disposed = false;
  let unstaffedOnly = false;
  let subscribed = false; // following the room on the current connection
  let everSubscribed = false;
  let seq = 0;

  const error = pageError('dash-error', () => load());
  const liveEl = h('p', { class: 'muted small dash-live', testid: 'dash-updated' });
  const figuresEl = h('section', { class: 'stats stats-4 dash-figures', testid: 'dash-figures', i18nAttr: { 'aria-label': 'dash.figures' } });

  function chartCard(testid, titleKey, { wide = false, hintKey } = {}) {
    const canvas = h('canvas', { testid: `${testid}-canvas`, attrs: { role: 'img' } });
    const box = h('div', { class: 'chart-box' }, canvas);
    const note = h('p', { class: 'chart-note muted small', hidden: true, i18n: 'dash.noData' });
    const card = h('section', { class: ['card', 'chart-card', wide && 'is-wide'], testid },
      h('div', { class: 'section-head' },
        h('h2', { i18n: titleKey }),
        hintKey ? h('span', { class: 'muted small', i18n: hintKey }) : null),
      box,
      note);
    return { card, canvas, box, note };
  }

  const cards = {
    history: chartCard('chart-online-history', 'dash.chart.history', { wide: true, hintKey: 'dash.chart.historyHint' }),
    roles: chartCard('chart-roles', 'dash.chart.roles'),
    countries: chartCard('chart-countries', 'dash.chart.countries'),
    halls: chartCard('chart-halls', 'dash.chart.halls'),
    meetings: chartCard('chart-meetings', 'dash.chart.meetings'),
  };

  const showsWrap = h('div', { class: 'table-wrap', testid: 'dash-shows' });
  const showsCard = h('section', { class: 'card dash-shows-card', testid: 'dash-stage', hidden: true },
    h('div', { class: 'section-head' }, h('h2', { i18n: 'dash.stageTitle' })),
    showsWrap);
  const boothsCount = h('span', { class: 'muted small', testid: 'dash-booths-count' });
  const boothsWrap = h('div', { class: 'table-wrap', testid: 'dash-booths' }, h('p', { class: 'muted', i18n: 'common.loading' }));
  const unstaffedToggle = h('input', {
    type: 'checkbox', testid: 'dash-unstaffed-only',
    on: {
      change: (event) => {
        unstaffedOnly = event.target.checked;
        renderBooths();
      },
    },
  });

  const page = h('main', { class: 'page dashboard-page', testid: 'dashboard', dataset: { live: 'false' } },
    h('div', { class: 'page-top' },
      h('div', {},
        h('h1', { class: 'live-title' }, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), h('span', { i18n: 'dash.title' })),
        liveEl),
      h('span', { class: 'page-top-actions' },
        h('a', { class: 'btn btn-ghost btn-small', href: '#/reports', testid: 'dash-reports', i18n: 'nav.reports' }),
        h('a', { class: 'btn btn-ghost btn-small', href: '#/scanner', testid: 'dash-scanner', i18n: 'nav.scanner' }))),
    error.el,
    figuresEl,
    h('div', { class: 'chart-grid' }, Object.values(cards).map((c) => c.card)),
    showsCard,
    h('section', { class: 'card dash-booths-card' },
      h('div', { class: 'section-head' },
        h('div', {}, h('h2', { i18n: 'dash.boothsTitle' }), boothsCount),
        h('label', { class: 'check' }, unstaffedToggle, h('span', { i18n: 'dash.unstaffedOnly' }))),
      boothsWrap));
  root.append(page);

  // ------------------------------------------------------------ figures
  function renderLive() {
    const connected = session.hub?.status === 'connected';
    const live = connected && subscribed;
    page.dataset.live = String(live);
    page.classList.toggle('is-stale', !live);
    if (!snapshot) {
      liveEl.textContent = t('common.loading');
      return;
    }
    const when = clockWithSeconds(snapshot.at_ms);
    liveEl.textContent = live
      ? t('dash.updated', { day: snapshot.day, time: when })
      : t('dash.stale', { day: snapshot.day, time: when });
  }

  function renderFigures() {
    const s = snapshot;
    const total = (s.booths || []).length;
    replaceChildren(figuresEl,
      figureTile('dash-online-now', s.online_now, 'dash.onlineNow', { tone: 'main' }),
      figureTile('dash-onsite-today', s.onsite_today, 'dash.onsiteToday'),
      figureTile('dash-online-today', s.online_today, 'dash.onlineToday'),
      figureTile('dash-both-today', s.both_today, 'dash.bothToday'),
      figureTile('dash-meetings-now', s.meetings_in_progress, 'dash.meetingsNow'),
      figureTile('dash-chat-rate', s.chat_messages_last_minute, 'dash.chatPerMinute'),
      figureTile('dash-talk-missed', s.talk_missed_today, 'dash.talkMissed', { tone: s.talk_missed_today > 0 ? 'warn' : null }),
      figureTile('dash-unstaffed', s.booths_unstaffed, 'dash.unstaffed', {
        tone: s.booths_unstaffed > 0 ? 'warn' : null, hint: t('dash.ofBooths', { count: total }),
      }));
  }

  // ------------------------------------------------------------ charts
  function historySet() {
    const labels = history.map((p) => clockWithSeconds(p.at));
    const values = history.map((p) => p.n);
    const last = history[history.length - 1];
    const low = Math.min(...values);
    const high = Math.max(...values);
    charts.history.set(labels, values, {
      summary: last ? t('dash.chart.historySummary', { count: last.n, low, high, since: labels[0] }) : '',
    });
    cards.history.canvas.dataset.points = String(history.length);
    cards.history.canvas.dataset.last = String(last?.n ?? '');
  }

  function renderCharts() {
    if (!charts || !snapshot) return;
    const s = snapshot;
    historySet();

    const byRole = s.online_by_role || {};
    const roles = [...ROLES, ...Object.keys(byRole).filter((r) => !ROLES.includes(r))];
    charts.roles.set(roles.map((r) => t(`role.${r}`)), roles.map((r) => byRole[r] || 0), {
      colors: roles.map((r, i) => ROLE_COLORS[r] || PALETTE[i % PALETTE.length]),
    });
    cards.roles.note.hidden = s.online_now > 0;

    const countries = Object.entries(s.online_by_country || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const top = countries.slice(0, TOP_COUNTRIES);
    const rest = countries.slice(TOP_COUNTRIES).reduce((sum, [, n]) => sum + n, 0);
    const countryLabels = top.map(([code]) => countryLabel(code));
    const countryValues = top.map(([, n]) => n);
    if (rest) {
      countryLabels.push(t('dash.otherCountries'));
      countryValues.push(rest);
    }
    charts.countries.set(countryLabels, countryValues);
    cards.countries.note.hidden = countries.length > 0;

    const halls = s.halls || [];
    charts.halls.set(halls.map((hall) => hall.name), halls.map((hall) => hall.visitors_now));
    cards.halls.note.hidden = halls.length > 0;

    const meetings = s.meetings_today || {};
    const states = [...MEETING_STATES, ...Object.keys(meetings).filter((k) => !MEETING_STATES.includes(k))];
    charts.meetings.set(states.map(meetingStateLabel), states.map((k) => meetings[k] || 0), {
      colors: states.map((k, i) => STATE_COLORS[k] || PALETTE[i % PALETTE.length]),
    });
  }

  async function startCharts() {
    const boxes = Object.values(cards).map((card) => card.box);
    charts = await loadCharts({ host: page, boxes, isDisposed: () => disposed }, (Chart) => ({
      history: makeChart(Chart, cards.history.canvas, {
        type: 'line',
        options: {
          scales: {
            x: { ticks: { maxTicksLimit: 8, maxRotation: 0, autoSkip: true }, grid: { display: false } },
            y: countScale({ suggestedMax: 4 }),
          },
        },
        datasetOptions: {
          label: t('dash.onlineNow'), borderColor: '#0fa3a3', backgroundColor: 'rgba(15, 163, 163, .12)',
          fill: true, pointRadius: 0, pointHitRadius: 6, stepped: 'before',
        },
      }),
      roles: makeChart(Chart, cards.roles.canvas, {
        type: 'doughnut',
        options: { cutout: '58%', plugins: { legend: { display: true, position: 'right' } } },
        datasetOptions: { borderWidth: 2, borderColor: '#fff' },
      }),
      countries: makeChart(Chart, cards.countries.canvas, {
        type: 'bar',
        options: { scales: { x: { grid: { display: false } }, y: countScale() } },
        datasetOptions: { backgroundColor: '#3b6fe0', borderRadius: 6, maxBarThickness: 42 },
      }),
      halls: makeChart(Chart, cards.halls.canvas, {
        type: 'bar',
        options: {
          indexAxis: 'y',
          scales: {
            x: countScale(),
            // Long hall names are cut on the axis; the tooltip has them whole.
            y: { grid: { display: false }, ticks: { callback(value) { return shorten(this.getLabelForValue(value), 18); } } },
          },
        },
        datasetOptions: { backgroundColor: '#0fa3a3', borderRadius: 6, maxBarThickness: 22 },
      }),
      meetings: makeChart(Chart, cards.meetings.canvas, {
        type: 'bar',
        options: { scales: { x: { grid: { display: false } }, y: countScale() } },
        datasetOptions: { borderRadius: 6, maxBarThickness: 42 },
      }),
    }));
    if (charts) renderCharts();
  }

  // ------------------------------------------------------------ the stage
  /** Today's shows: state, viewers now and the peak (presence over every node). */
  function renderShows() {
    const shows = snapshot.shows || [];
    showsCard.hidden = shows.length === 0;
    if (!shows.length) return;
    const th = (key, cls) => h('th', { scope: 'col', class: cls, i18n: key });
    replaceChildren(showsWrap, h('table', { class: 'data-table dash-show-table' },
      h('thead', {}, h('tr', {}, th('dash.col.show'), th('dash.col.showTime'), th('dash.col.showState'), th('dash.col.viewersNow', 'num'), th('dash.col.viewersPeak', 'num'))),
      h('tbody', {}, shows.map((s) => h('tr', {
        testid: 'dash-show-row', class: [s.state === 'live' && 'is-live'],
        dataset: { showId: String(s.show_id), state: s.state, viewers: String(s.viewers_now), peak: String(s.peak_viewers) },
      },
      h('td', {}, h('a', { href: `#/show/${s.show_id}`, text: s.title })),
      h('td', { class: 'muted', text: formatDateTime(s.starts_ms) }),
      h('td', {}, stateBadge(s.state, 'dash-show-state')),
      h('td', { class: 'num', testid: 'dash-show-viewers', text: formatNumber(s.viewers_now) }),
      h('td', { class: 'num', testid: 'dash-show-peak', text: formatNumber(s.peak_viewers) }))))));
  }

  // ------------------------------------------------------------ booths
  function renderBooths() {
    if (!snapshot) return;
    const hallNames = new Map((snapshot.halls || []).map((hall) => [hall.hall_id, hall.name]));
    const all = snapshot.booths || [];
    const staffed = all.filter((b) => b.staff_on_duty > 0).length;
    boothsCount.dataset.i18n = 'dash.staffedCount';
    boothsCount.dataset.i18nArgs = JSON.stringify({ staffed, count: all.length });
    boothsCount.textContent = t('dash.staffedCount', { staffed, count: all.length });
    const shown = all
      .filter((b) => !unstaffedOnly || b.staff_on_duty === 0)
      .sort((a, b) => b.visitors_now - a.visitors_now || a.name.localeCompare(b.name));
    if (!shown.length) {
      replaceChildren(boothsWrap, h('div', { class: 'empty-state', testid: 'dash-booths-empty', i18n: 'dash.allStaffed' }));
      return;
    }
    const th = (key, cls) => h('th', { scope: 'col', class: cls, i18n: key });
    replaceChildren(boothsWrap, h('table', { class: 'data-table dash-booth-table' },
      h('thead', {}, h('tr', {}, th('dash.col.booth'), th('dash.col.hall'), th('dash.col.visitors', 'num'), th('dash.col.staff', 'num'), th('dash.col.figures'))),
      h('tbody', {}, shown.map((b) => h('tr', {
        testid: 'dash-booth-row', class: [b.staff_on_duty === 0 && 'is-unstaffed', b.visitors_now > 0 && 'is-busy'],
        dataset: { companyId: String(b.company_id), visitors: String(b.visitors_now), staff: String(b.staff_on_duty) },
      },
      h('td', {}, h('a', { href: `#/booth/${b.company_id}`, text: b.name })),
      h('td', { class: 'muted', text: hallNames.get(b.hall_id) || '—' }),
      h('td', { class: 'num', testid: 'dash-booth-visitors', text: formatNumber(b.visitors_now) }),
      h('td', { class: 'num', testid: 'dash-booth-staff' },
        b.staff_on_duty === 0
          ? h('span', { class: 'unstaffed-tag', i18n: 'dash.nobody' })
          : h('span', { class: 'duty-tag', text: formatNumber(b.staff_on_duty) })),
      h('td', {}, h('a', { class: 'small', href: `#/stats/${b.company_id}`, i18n: 'dash.openFigures' })))))));
  }

  function render() {
    renderLive();
    if (!snapshot) return;
    renderFigures();
    renderCharts();
    renderShows();
    renderBooths();
    page.dataset.onlineNow = String(snapshot.online_now);
    page.dataset.updates = String(Number(page.dataset.updates || 0) + 1);
  }

  /** A snapshot from GET or from the room; an older one than shown is dropped. */
  function apply(next) {
    if (!next || disposed) return;
    if (snapshot && next.at_ms < snapshot.at_ms) return;
    snapshot = next;
    const last = history[history.length - 1];
    if (last && last.at === next.at_ms) last.n = next.online_now;
    else history.push({ at: next.at_ms, n: next.online_now });
    if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
    error.hide();
    render();
  }

  async function load() {
    const mine = ++seq;
    try {
      const data = await api.dashboard();
      if (disposed || mine !== seq) return;
      apply(data);
    } catch (e) {
      if (disposed || mine !== seq) return;
      if (ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  load();
  startCharts();

  const unsubscribe = session.hub.subscribe(ROOMS.DASHBOARD, {
    // (Re)subscribed: snapshots follow. After a reconnect, catch up at once.
    onSnapshot() {
      const again = everSubscribed;
      everSubscribed = true;
      subscribed = true;
      renderLive();
      if (again) load();
    },
    onEvent(event) {
      if (event?.kind === EVENTS.DASHBOARD) apply(event.snapshot);
    },
    onError(e) {
      subscribed = false;
      renderLive();
      error.show(e);
    },
  });
  const offStatus = session.hub.on('status', (status) => {
    if (status !== 'connected') subscribed = false;
    renderLive();
  });
  const offLang = onLangChange(() => render());

  return () => {
    disposed = true;
    unsubscribe();
    offStatus();
    offLang();
    if (charts) for (const chart of Object.values(charts)) chart.destroy();
  };
}
