// views/accept.js — accepting an invitation (#/accept?token=…): the invitee chooses a
// password and is signed in. The token is taken out of the address bar right away.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { errorBox, field, setBusy, showError } from './forms.js';
import { authLayout } from './layout.js';

export function mountAccept(root, ctx, params) {
  const token = params.get('token') || '';
  // Keep the secret out of the history and out of screenshots once read.
  if (token) history.replaceState(null, '', `${location.pathname}${location.search}#/accept`);
  const inviteToken = token || ctx.pendingInvite || '';
  ctx.pendingInvite = inviteToken;

  const password = h('input', { type: 'password', name: 'password', required: true, minLength: 8,
    autocomplete: 'new-password', testid: 'accept-password' });
  const confirm = h('input', { type: 'password', name: 'confirm', required: true, minLength: 8,
    autocomplete: 'new-password', testid: 'accept-confirm' });
  const error = errorBox('accept-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'accept-submit', i18n: 'accept.submit' });
  const form = h('form', { class: 'form', testid: 'accept-form' },
    field('field.password', password, { hintKey: 'field.passwordHint' }),
    field('field.passwordConfirm', confirm),
    error,
    submit);

  if (!inviteToken) {
    showError(error, { code: 'missing_token' }, { missing_token: 'accept.missingToken' });
    submit.disabled = true;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, null);
    if (password.value.length < 8) return showError(error, { code: 'password_short' });
    if (password.value !== confirm.value) return showError(error, { code: 'password_mismatch' });
    setBusy(submit, true, 'accept.submitting', 'accept.submit');
    try {
      const result = await api.acceptInvitation(inviteToken, password.value);
      ctx.pendingInvite = '';
      ctx.signedIn(result);
    } catch (err) {
      showError(error, err, { [ERROR_CODES.NOT_FOUND]: 'error.invitation_not_found' });
      setBusy(submit, false, 'accept.submitting', 'accept.submit');
    }
    return undefined;
  });

  root.append(authLayout(
    h('div', { class: 'card auth-card', testid: 'accept-page' },
      h('h1', { i18n: 'accept.title' }),
      h('p', { class: 'muted', i18n: 'accept.subtitle' }),
      form)));
  password.focus();
  return () => {};
}
