// views/people.js — the organizers' people desk (#/people). Registrations waiting for
// approval come first: approve one, reject one with a reason (the applicant is told it, in a
// sentence in their language, by mail and on the sign-in page), or tick several and approve
// them together. Below, every account with filters (role, status) and a search, where an
// account can be disabled (its sessions and websockets end at once).

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { applyTranslations, countryName, formatList, languageName, onLangChange, t } from '../i18n.js';
import { forbiddenPage, formatDateTime, pageError, roleBadge } from './common.js';
import { conceptLabels, deskTabs, interestLabel, statusBadge } from './desk-parts.js';
import { errorBox, setBusy, showError } from './forms.js';

const ROLES = ['buyer', 'exhibitor', 'interpreter', 'organizer'];
const STATUSES = ['pending', 'active', 'disabled'];

export function mountPeople(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'dash.onlyOrganizers');
    return null;
  }
  let disposed = false;
  let pending = [];
  let labels = new Map();
  const selected = new Set();
  const filters = { role: '', status: '', q: '' };

  const queueError = pageError('queue-error', () => loadQueue());
  const accountsError = pageError('accounts-error', () => loadAccounts());
  const actionError = errorBox('people-action-error');
  const notice = h('div', { class: 'alert alert-info', testid: 'people-notice', attrs: { role: 'status' }, hidden: true });

  const queueBody = h('div', { class: 'card table-wrap', testid: 'queue' });
  const bulkButton = h('button', {
    type: 'button', class: 'btn btn-primary btn-small', testid: 'bulk-approve', disabled: true,
    i18n: 'people.approveSelected', i18nArgs: { count: 0 }, on: { click: approveSelected },
  });
  const accountsBody = h('div', { class: 'card table-wrap', testid: 'accounts' });

  // The rejection form: shown for one applicant at a time.
  const reasonInput = h('textarea', {
    id: 'reject-reason', testid: 'reject-reason', rows: 3, maxLength: 1000, required: true,
    i18nAttr: { placeholder: 'people.reasonPlaceholder' },
  });
  const rejectTitle = h('h2', { testid: 'reject-title' });
  const rejectSubmit = h('button', { type: 'submit', class: 'btn btn-danger', testid: 'reject-confirm', i18n: 'people.rejectConfirm' });
  const rejectForm = h('form', { class: 'card reject-form', testid: 'reject-form', hidden: true },
    rejectTitle,
    h('label', { class: 'field' },
      h('span', { class: 'field-label', i18n: 'people.reasonLabel' }),
      reasonInput,
      h('small', { class: 'field-hint', i18n: 'people.reasonHint' })),
    h('div', { class: 'form-actions' },
      rejectSubmit,
      h('button', { type: 'button', class: 'btn btn-ghost', testid: 'reject-cancel', i18n: 'people.cancel',
        on: { click: () => closeReject() } })));
  let rejecting = null;

  function openReject(user) {
    rejecting = user;
    rejectTitle.dataset.i18n = 'people.rejectTitle';
    rejectTitle.dataset.i18nArgs = JSON.stringify({ name: user.name });
    rejectTitle.textContent = '';
    reasonInput.value = '';
    rejectForm.hidden = false;
    applyTranslations(rejectForm);
    reasonInput.focus();
  }

  function closeReject() {
    rejecting = null;
    rejectForm.hidden = true;
  }

  rejectForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!rejecting) return;
    const reason = reasonInput.value.trim();
    if (!reason) {
      reasonInput.focus();
      return;
    }
    setBusy(rejectSubmit, true, 'people.working', 'people.rejectConfirm');
    showError(actionError, null);
    try {
      const user = await api.rejectUser(rejecting.id, reason);
      say('people.rejected', { name: user.name });
      closeReject();
      await Promise.all([loadQueue(), loadAccounts()]);
    } catch (error) {
      if (!ctx.handleAuthError(error)) showError(actionError, error);
    } finally {
      setBusy(rejectSubmit, false, 'people.working', 'people.rejectConfirm');
    }
  });

  function say(key, args) {
    notice.dataset.i18n = key;
    notice.dataset.i18nArgs = JSON.stringify(args);
    applyTranslations(notice);
    notice.hidden = false;
  }

  function updateBulk() {
    for (const id of [...selected]) if (!pending.some((u) => u.id === id)) selected.delete(id);
    bulkButton.disabled = selected.size === 0;
    bulkButton.dataset.i18nArgs = JSON.stringify({ count: selected.size });
    applyTranslations(bulkButton);
  }

  async function approve(user, button) {
    button.disabled = true;
    showError(actionError, null);
    try {
      await api.approveUser(user.id);
      say('people.approvedOne', { name: user.name });
      await Promise.all([loadQueue(), loadAccounts()]);
    } catch (error) {
      button.disabled = false;
      if (!ctx.handleAuthError(error)) showError(actionError, error);
    }
  }

  async function approveSelected() {
    if (!selected.size) return;
    bulkButton.disabled = true;
    showError(actionError, null);
    try {
      const result = await api.approveUsers([...selected]);
      selected.clear();
      say('people.approvedMany', { count: result.approved.length });
      await Promise.all([loadQueue(), loadAccounts()]);
    } catch (error) {
      if (!ctx.handleAuthError(error)) showError(actionError, error);
      updateBulk();
    }
  }

  function interestsText(user) {
    const items = (user.interests || []).map((tag) => interestLabel(tag, labels));
    return [...items, ...(user.hs_codes || []).map((code) => t('people.hsCode', { code }))].join(', ');
  }

  function queueRow(user) {
    const box = h('input', {
      type: 'checkbox', testid: 'queue-select', checked: selected.has(user.id),
      i18nAttr: { 'aria-label': 'people.selectOne' }, i18nArgs: { name: user.name },
      on: {
        change: (event) => {
          if (event.target.checked) selected.add(user.id);
          else selected.delete(user.id);
          updateBulk();
        },
      },
    });
    const approveButton = h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'approve', i18n: 'people.approve' });
    approveButton.addEventListener('click', () => approve(user, approveButton));
    return h('tr', { testid: 'queue-row', dataset: { userId: String(user.id), email: user.email } },
      h('td', {}, box),
      h('td', {}, h('strong', { text: user.name }), h('div', { class: 'muted small', text: user.email })),
      h('td', { text: user.company_name || '' }),
      h('td', { text: countryName(user.country) }),
      h('td', { text: formatList((user.languages || []).map(languageName)) }),
      h('td', { class: 'small', text: interestsText(user) }),
      h('td', { class: 'nowrap', text: formatDateTime(user.created_ms) }),
      h('td', { class: 'nowrap' },
        approveButton, ' ',
        h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'reject', i18n: 'people.reject',
          on: { click: () => openReject(user) } })));
  }

  function drawQueue() {
    if (!pending.length) {
      replaceChildren(queueBody, h('p', { class: 'empty-state', testid: 'queue-empty', i18n: 'people.queueEmpty' }));
    } else {
      replaceChildren(queueBody, h('table', { class: 'data-table', testid: 'queue-table' },
        h('thead', {}, h('tr', {},
          h('th', {}, h('span', { class: 'sr-only', i18n: 'people.colSelect' })),
          h('th', { i18n: 'people.colName' }), h('th', { i18n: 'people.colCompany' }),
          h('th', { i18n: 'people.colCountry' }), h('th', { i18n: 'people.colLanguages' }),
          h('th', { i18n: 'people.colInterests' }), h('th', { i18n: 'people.colRegistered' }),
          h('th', {}, h('span', { class: 'sr-only', i18n: 'people.colActions' })))),
        h('tbody', {}, pending.map(queueRow))));
    }
    queueBody.dataset.count = String(pending.length);
    updateBulk();
  }

  async function loadQueue() {
    try {
      const [list, names] = await Promise.all([api.users({ role: 'buyer', status: 'pending' }), conceptLabels()]);
      if (disposed) return;
      pending = list.users;
      labels = names;
      queueError.hide();
      drawQueue();
    } catch (error) {
      if (!disposed && !ctx.handleAuthError(error)) queueError.show(error);
    }
  }

  function accountRow(user) {
    const actions = [];
    if (user.status === 'active' && user.id !== me.id) {
      const disable = h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'disable', i18n: 'people.disable' });
      disable.addEventListener('click', async () => {
        disable.disabled = true;
        showError(actionError, null);
        try {
          await api.disableUser(user.id);
          say('people.disabledOne', { name: user.name });
          await loadAccounts();
        } catch (error) {
          disable.disabled = false;
          if (!ctx.handleAuthError(error)) showError(actionError, error);
        }
      });
      actions.push(disable);
    }
    return h('tr', { testid: 'account-row', dataset: { userId: String(user.id), email: user.email, status: user.status } },
      h('td', {}, h('strong', { text: user.name }), h('div', { class: 'muted small', text: user.email })),
      h('td', {}, roleBadge(user.role)),
      h('td', { text: user.company_name || '' }),
      h('td', { text: countryName(user.country) }),
      h('td', {}, statusBadge(user),
        user.rejection_reason ? h('div', { class: 'muted small', testid: 'account-reason', text: user.rejection_reason }) : null),
      h('td', { class: 'nowrap', text: formatDateTime(user.created_ms) }),
      h('td', { class: 'nowrap' }, actions));
  }

  let accountsSeq = 0;
  async function loadAccounts() {
    const seq = ++accountsSeq;
    try {
      const list = await api.users(filters);
      if (disposed || seq !== accountsSeq) return;
      accountsError.hide();
      replaceChildren(accountsBody, list.users.length
        ? h('table', { class: 'data-table', testid: 'accounts-table' },
          h('thead', {}, h('tr', {},
            h('th', { i18n: 'people.colName' }), h('th', { i18n: 'people.colRole' }),
            h('th', { i18n: 'people.colCompany' }), h('th', { i18n: 'people.colCountry' }),
            h('th', { i18n: 'people.colStatus' }), h('th', { i18n: 'people.colRegistered' }),
            h('th', {}, h('span', { class: 'sr-only', i18n: 'people.colActions' })))),
          h('tbody', {}, list.users.map(accountRow)))
        : h('p', { class: 'empty-state', testid: 'accounts-empty', i18n: 'people.accountsEmpty' }));
      accountsBody.dataset.count = String(list.users.length);
    } catch (error) {
      if (!disposed && !ctx.handleAuthError(error)) accountsError.show(error);
    }
  }

  const roleSelect = h('select', { testid: 'filter-role', id: 'filter-role', on: { change: (e) => { filters.role = e.target.value; loadAccounts(); } } },
    h('option', { value: '', i18n: 'people.allRoles' }),
    ROLES.map((role) => h('option', { value: role, i18n: `role.${role}` })));
  const statusSelect = h('select', { testid: 'filter-status', id: 'filter-status', on: { change: (e) => { filters.status = e.target.value; loadAccounts(); } } },
    h('option', { value: '', i18n: 'people.allStatuses' }),
    STATUSES.map((status) => h('option', { value: status, i18n: `people.status.${status}` })));
  let searchTimer = null;
  const search = h('input', {
    type: 'search', testid: 'filter-search', id: 'filter-search', i18nAttr: { placeholder: 'people.searchPlaceholder' },
    on: {
      input: (e) => {
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => { filters.q = e.target.value.trim(); loadAccounts(); }, 250);
      },
    },
  });

  replaceChildren(root, h('main', { class: 'page', testid: 'people-page' },
    deskTabs('#/people'),
    h('h1', { i18n: 'people.title' }),
    notice,
    actionError,
    h('section', { class: 'people-section', testid: 'queue-section' },
      h('div', { class: 'section-head' },
        h('h2', { i18n: 'people.queueTitle' }),
        bulkButton),
      h('p', { class: 'muted small', i18n: 'people.queueHint' }),
      queueError.el,
      rejectForm,
      queueBody),
    h('section', { class: 'people-section', testid: 'accounts-section' },
      h('div', { class: 'section-head' }, h('h2', { i18n: 'people.accountsTitle' })),
      h('div', { class: 'filters' },
        h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'people.colRole' }), roleSelect),
        h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'people.colStatus' }), statusSelect),
        h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'people.search' }), search)),
      accountsError.el,
      accountsBody)));

  loadQueue();
  loadAccounts();
  // Names of countries, languages and concepts, and dates, are worded for the language.
  const offLang = onLangChange(() => {
    loadQueue();
    loadAccounts();
  });
  return () => {
    disposed = true;
    clearTimeout(searchTimer);
    offLang();
  };
}
