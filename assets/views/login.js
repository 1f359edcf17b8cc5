// views/login.js — the sign-in page (#/login): email and password, a clear message for each
// error code, and links to buyer registration. A buyer whose registration waits for approval
// (or was rejected) is taken to the waiting page (#/waiting) instead of a bare refusal.

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorBox, field, setBusy, showError } from './forms.js';
import { authLayout } from './layout.js';
import { rememberApplication } from './waiting.js';

export function mountLogin(root, ctx) {
  const email = h('input', {
    type: 'email', name: 'email', id: 'login-email', required: true, autocomplete: 'username',
    testid: 'login-email', attrs: { inputmode: 'email', spellcheck: 'false' },
  });
  const password = h('input', {
    type: 'password', name: 'password', id: 'login-password', required: true,
    autocomplete: 'current-password', testid: 'login-password',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'login-submit', i18n: 'login.submit' });
  const error = errorBox('login-error');
  const notice = h('div', { class: 'alert alert-info', testid: 'login-notice', attrs: { role: 'status' }, hidden: true });
  const flash = ctx.takeFlash();
  if (flash) showError(notice, { code: flash });

  const form = h('form', { class: 'form', testid: 'login-form' },
    field('field.email', email),
    field('field.password', password),
    error,
    submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(error, null);
    notice.hidden = true;
    setBusy(submit, true, 'login.submitting', 'login.submit');
    try {
      const result = await api.login(email.value.trim(), password.value);
      ctx.signedIn(result);
    } catch (err) {
      if (err.application && (err.code === 'account_pending' || err.code === 'account_rejected')) {
        rememberApplication(err, email.value.trim().toLowerCase());
        ctx.navigate('#/waiting');
        return;
      }
      showError(error, err);
      password.select();
      setBusy(submit, false, 'login.submitting', 'login.submit');
    }
  });

  root.append(authLayout(
    h('div', { class: 'card auth-card', testid: 'login-page' },
      h('h1', { i18n: 'login.title' }),
      h('p', { class: 'muted', i18n: 'login.subtitle' }),
      notice,
      form,
      h('p', { class: 'auth-switch' },
        h('span', { i18n: 'login.noAccount' }), ' ',
        h('a', { href: '#/register', testid: 'register-link', i18n: 'login.registerLink' })),
      h('p', { class: 'muted small', i18n: 'login.inviteHint' }))));
  email.focus();
  return () => {};
}
