// views/invitations.js — the organizers' invitations (#/invitations): invite exhibitor staff
// or an interpreter, and every invitation with its state (open, accepted, expired, revoked),
// its language and who accepted when. An open (or revoked, or expired) one can be sent again
// — a new link; the old one stops working — and an open one revoked. The link is shown once,
// to pass on by hand when the server sends no mail.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { LANGUAGES } from '../gen/protocol.js';
import { applyTranslations, autonym, onLangChange } from '../i18n.js';
import { forbiddenPage, formatDateTime, pageError, roleBadge } from './common.js';
import { deskTabs } from './desk-parts.js';
import { errorBox, field, setBusy, showError } from './forms.js';

const STATE_KEYS = {
  open: 'invites.state.open', accepted: 'invites.state.accepted',
  expired: 'invites.state.expired', revoked: 'invites.state.revoked',
};

/** A box with an invitation link to copy (and whether it was mailed). */
export function linkBox(result, who, testid = 'invite-link') {
  const url = new URL(result.accept_path, location.origin).href;
  const input = h('input', { type: 'text', readOnly: true, value: url, class: 'link-input', testid: `${testid}-url`, i18nAttr: { 'aria-label': 'invites.linkLabel' } });
  return h('div', { class: 'alert alert-info invite-link', testid, attrs: { role: 'status' } },
    h('p', { i18n: result.mailed ? 'invites.mailed' : 'invites.notMailed', i18nArgs: { who } }),
    input);
}

export function mountInvitations(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'dash.onlyOrganizers');
    return null;
  }
  let disposed = false;
  const listError = pageError('invitations-error', () => load());
  const actionError = errorBox('invite-error');
  const result = h('div', { testid: 'invite-result' });
  const tableBox = h('div', { class: 'card table-wrap', testid: 'invitations' });

  // The form: email, name, role, company (staff), languages.
  const email = h('input', { type: 'email', required: true, testid: 'invite-email', autocomplete: 'off' });
  const name = h('input', { type: 'text', required: true, maxLength: 200, testid: 'invite-name', autocomplete: 'off' });
  const role = h('select', { testid: 'invite-role' },
    h('option', { value: 'exhibitor', i18n: 'role.exhibitor' }),
    h('option', { value: 'interpreter', i18n: 'role.interpreter' }));
  const company = h('select', { testid: 'invite-company' });
  const companyField = field('invites.company', company);
  const languageBoxes = LANGUAGES.map((code) => h('label', { class: 'chip-check' },
    h('input', { type: 'checkbox', value: code, testid: 'invite-language' }),
    h('span', { text: autonym(code) })));
  role.addEventListener('change', () => { companyField.hidden = role.value !== 'exhibitor'; });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'invite-submit', i18n: 'invites.send' });
  const form = h('form', { class: 'card form invite-form', testid: 'invite-form' },
    h('h2', { i18n: 'invites.newTitle' }),
    h('div', { class: 'form-grid' },
      field('field.email', email),
      field('invites.name', name),
      field('invites.role', role),
      companyField),
    h('fieldset', { class: 'field' },
      h('legend', { class: 'field-label', i18n: 'invites.languages' }),
      h('div', { class: 'chip-row' }, languageBoxes)),
    actionError,
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(actionError, null);
    setBusy(submit, true, 'invites.sending', 'invites.send');
    const input = {
      email: email.value.trim(), name: name.value.trim(), role: role.value,
      company_id: role.value === 'exhibitor' ? Number(company.value) || null : null,
      languages: languageBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
    };
    try {
      const made = await api.invite(input);
      replaceChildren(result, linkBox(made, input.email));
      form.reset();
      companyField.hidden = false;
      await load();
    } catch (error) {
      if (!ctx.handleAuthError(error)) showError(actionError, error);
    } finally {
      setBusy(submit, false, 'invites.sending', 'invites.send');
    }
  });

  async function act(invitation, button, action) {
    button.disabled = true;
    showError(actionError, null);
    try {
      if (action === 'resend') {
        const made = await api.resendInvitation(invitation.id);
        replaceChildren(result, linkBox(made, invitation.email));
      } else {
        await api.revokeInvitation(invitation.id);
        replaceChildren(result, h('div', { class: 'alert alert-info', testid: 'invite-revoked', attrs: { role: 'status' },
          i18n: 'invites.revokedOne', i18nArgs: { who: invitation.email } }));
      }
      await load();
    } catch (error) {
      button.disabled = false;
      if (!ctx.handleAuthError(error)) showError(actionError, error);
    }
  }

  function row(invitation) {
    const actions = [];
    if (invitation.state !== 'accepted') {
      const resend = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'invite-resend', i18n: 'invites.resend' });
      resend.addEventListener('click', () => act(invitation, resend, 'resend'));
      actions.push(resend);
    }
    if (invitation.state === 'open') {
      const revoke = h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'invite-revoke', i18n: 'invites.revoke' });
      revoke.addEventListener('click', () => act(invitation, revoke, 'revoke'));
      actions.push(' ', revoke);
    }
    return h('tr', { testid: 'invitation-row', dataset: { id: String(invitation.id), email: invitation.email, state: invitation.state } },
      h('td', {}, h('strong', { text: invitation.name }), h('div', { class: 'muted small', text: invitation.email })),
      h('td', {}, roleBadge(invitation.role), invitation.company_name ? h('div', { class: 'muted small', text: invitation.company_name }) : null),
      h('td', { testid: 'invitation-language', text: autonym(invitation.language) }),
      h('td', {}, h('span', { class: ['badge', 'status-badge', `is-${invitation.state}`], testid: 'invitation-state', i18n: STATE_KEYS[invitation.state] })),
      h('td', { class: 'nowrap', text: formatDateTime(invitation.sent_ms) }),
      h('td', { class: 'nowrap', testid: 'invitation-accepted', text: invitation.accepted_ms ? formatDateTime(invitation.accepted_ms) : '' }),
      h('td', { class: 'nowrap' }, actions));
  }

  async function load() {
    try {
      const list = await api.invitations();
      if (disposed) return;
      listError.hide();
      replaceChildren(tableBox, list.invitations.length
        ? h('table', { class: 'data-table', testid: 'invitations-table' },
          h('thead', {}, h('tr', {},
            h('th', { i18n: 'people.colName' }), h('th', { i18n: 'invites.role' }),
            h('th', { i18n: 'invites.language' }), h('th', { i18n: 'people.colStatus' }),
            h('th', { i18n: 'invites.sent' }), h('th', { i18n: 'invites.accepted' }),
            h('th', {}, h('span', { class: 'sr-only', i18n: 'people.colActions' })))),
          h('tbody', {}, list.invitations.map(row)))
        : h('p', { class: 'empty-state', i18n: 'invites.empty' }));
      tableBox.dataset.count = String(list.invitations.length);
    } catch (error) {
      if (!disposed && !ctx.handleAuthError(error)) listError.show(error);
    }
  }

  async function loadCompanies() {
    try {
      const list = await api.companies();
      if (disposed) return;
      replaceChildren(company, list.companies.map((c) => h('option', { value: String(c.id), text: c.name })));
    } catch (error) {
      if (!ctx.handleAuthError(error)) showError(actionError, error);
    }
  }

  replaceChildren(root, h('main', { class: 'page', testid: 'invitations-page' },
    deskTabs('#/invitations'),
    h('h1', { i18n: 'invites.title' }),
    form,
    result,
    h('section', { class: 'people-section' },
      h('div', { class: 'section-head' }, h('h2', { i18n: 'invites.listTitle' })),
      listError.el,
      tableBox)));
  applyTranslations(root);
  loadCompanies();
  load();
  const offLang = onLangChange(load);
  return () => {
    disposed = true;
    offLang();
  };
}
