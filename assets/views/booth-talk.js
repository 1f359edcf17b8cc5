// views/booth-talk.js — a buyer's buttons in a booth's live panel: "Talk to staff"
// (talk_request: the on-duty staff are asked; the outcome arrives in the buyer's personal
// room, with the seconds left and a way out while it waits), "Message privately" (their
// private conversation with the company, in the inbox) and "Book a meeting".

import { h } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { errorBox, showError } from './forms.js';

/**
 * The box for companyId. `inside` resolves once the booth's subscription made the buyer a
 * visitor (a request needs that); isDisposed() says the page is gone. destroy() when leaving.
 */
export function talkBox(ctx, companyId, { inside, isDisposed }) {
  const { session } = ctx;
  const talkStatus = h('p', { class: 'talk-state small', testid: 'talk-status', attrs: { role: 'status' }, hidden: true });
  const talkError = errorBox('talk-error');
  const talkBtn = h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'talk-to-staff', i18n: 'talk.button' });
  const privateBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'message-company', i18n: 'talk.private' });
  // Book a meeting (buyers): the company's slot grid and the request form.
  const bookLink = h('a', { class: 'btn btn-primary btn-small', testid: 'book-meeting', href: `#/meetings/book/${companyId}`, i18n: 'meet.book' });
  // While a request waits: the seconds left before it counts as missed, and a way out.
  const talkCountdown = h('span', { class: 'talk-countdown', testid: 'talk-countdown', attrs: { 'aria-live': 'off' } });
  const talkCancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'talk-cancel', i18n: 'talk.cancel', hidden: true });
  const el = h('div', { class: 'talk-box', testid: 'talk-box' },
      h('div', { class: 'talk-buttons' }, talkBtn, privateBtn, bookLink),
      h('div', { class: 'talk-wait' }, talkStatus, talkCountdown, talkCancel), talkError);

  let talkTimer = null;
  let talkRequest = null;

  /** "1:05": the time left of an open request (by this tab's clock). */
  function tickTalk() {
    const left = Math.max(0, Math.ceil(((talkRequest?.deadline || 0) - Date.now()) / 1000));
    talkCountdown.dataset.seconds = String(left);
    talkCountdown.textContent = t('talk.timeLeft', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
    if (left === 0) {
      clearInterval(talkTimer);
      talkTimer = null;
    }
  }

  function showTalk(request, kind) {
    showError(talkError, null);
    let key = null;
    let args = {};
    const kinds = { talk_taken: 'accepted', talk_missed: 'missed', talk_cancelled: 'cancelled' };
    const state = kinds[kind] || request?.state;
    if (state === 'open') key = 'talk.waiting';
    else if (state === 'accepted') {
      key = 'talk.willTalk';
      args = { name: request.accepted_by?.name || '' };
    } else if (state === 'missed') key = 'talk.nobodyFree';
    else if (state === 'cancelled') key = 'talk.cancelled';
    talkStatus.hidden = !key;
    talkStatus.dataset.state = state || '';
    if (key) {
      talkStatus.dataset.i18n = key;
      talkStatus.dataset.i18nArgs = JSON.stringify(args);
      talkStatus.textContent = t(key, args);
    }
    talkBtn.disabled = state === 'open';
    const waiting = state === 'open' && Boolean(request?.deadline);
    talkRequest = waiting ? request : null;
    talkCancel.hidden = state !== 'open';
    talkCancel.disabled = false;
    talkCountdown.hidden = !waiting;
    clearInterval(talkTimer);
    talkTimer = null;
    if (waiting) {
      tickTalk();
      talkTimer = setInterval(tickTalk, 1000);
    }
  }

  talkCancel.addEventListener('click', async () => {
    const request = session.chat.myTalk.get(companyId);
    if (!request || request.state !== 'open') return;
    talkCancel.disabled = true;
    showError(talkError, null);
    try {
      await session.chat.cancelTalk(request.id);
    } catch (error) {
      talkCancel.disabled = false;
      // Taken meanwhile: the talk_taken event shows who answers.
      if (!isDisposed()) showError(talkError, error, { [ERROR_CODES.CONFLICT]: 'talk.tooLate', disconnected: 'duty.offline', closed: 'duty.offline' });
    }
  });

  talkBtn.addEventListener('click', async () => {
    talkBtn.disabled = true;
    showError(talkError, null);
    try {
      await inside;
      if (isDisposed()) return;
      const request = await session.chat.requestTalk(companyId);
      showTalk(request);
    } catch (error) {
      talkBtn.disabled = false;
      if (!isDisposed()) showError(talkError, error, { disconnected: 'duty.offline', closed: 'duty.offline', [ERROR_CODES.NOT_SUBSCRIBED]: 'talk.notInside' });
    }
  });

  privateBtn.addEventListener('click', async () => {
    privateBtn.disabled = true;
    showError(talkError, null);
    try {
      const info = await session.chat.open(`private:${companyId}`);
      ctx.navigate(`#/inbox/${info.id}`);
    } catch (error) {
      privateBtn.disabled = false;
      if (!isDisposed()) showError(talkError, error, { disconnected: 'duty.offline', closed: 'duty.offline' });
    }
  });

  const offTalk = session.chat.on('my-talk', ({ request, kind }) => {
    if (request?.company_id === companyId) showTalk(request, kind);
  });
  const earlier = session.chat.myTalk.get(companyId);
  if (earlier) showTalk(earlier);

  return {
    el,
    destroy() {
      clearInterval(talkTimer);
      offTalk();
    },
  };
}
