// views/inbox.js — the inbox (#/inbox, #/inbox/{room_id}): the user's conversations with
// their unread counts (live), and the open one beside them (private conversations show the
// other side and whether the company's staff are online). Exhibitors also see the talk
// requests waiting for an answer (with Accept) and the missed ones to follow up on.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES, EVENTS } from '../gen/protocol.js';
import { countryName, t } from '../i18n.js';
import { messageTime } from './chat-message.js';
import { chatPanel } from './chat.js';
import { pageError } from './common.js';
import { errorBox, showError } from './forms.js';

/** A talk request's buyer: "Ivan Petrov · Primorye Trade House · Russia". */
export function buyerLine(buyer) {
  return [buyer?.name, buyer?.company_name, countryName(buyer?.country)].filter(Boolean).join(' · ');
}

export function mountInbox(root, ctx, params, arg) {
  const { session } = ctx;
  const me = session.user;
  const chat = session.chat;
  const staff = chat.isStaff;
  const roomId = arg ? Number(arg) : null;
  let panel = null;
  let room = null;
  let disposed = false;

  // ------------------------------------------------------------ frame
  const listError = pageError('inbox-error', () => chat.refreshInbox());
  const listEl = h('ul', { class: 'inbox-list', testid: 'inbox-list' }, h('li', { class: 'muted small', i18n: 'common.loading' }));
  const convEl = h('section', { class: 'card conv-card', testid: 'conversation' });
  const requestsEl = h('ul', { class: 'talk-list', testid: 'talk-requests' });
  const requestsError = errorBox('talk-requests-error');
  const missedEl = h('ul', { class: 'talk-list', testid: 'talk-missed' }, h('li', { class: 'muted small', i18n: 'common.loading' }));
  const missedError = errorBox('talk-missed-error');

  const staffSection = staff
    ? h('div', { class: 'talk-panels' },
      h('section', { class: 'card talk-card', testid: 'talk-requests-card' },
        h('h2', { i18n: 'talk.requestsTitle' }),
        h('p', { class: 'muted small', i18n: 'talk.requestsHint' }),
        requestsError, requestsEl),
      h('section', { class: 'card talk-card', testid: 'talk-missed-card' },
        h('div', { class: 'section-head' },
          h('h2', { i18n: 'talk.missedTitle' }),
          h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'talk-missed-refresh', i18n: 'leads.refresh', on: { click: () => loadMissed() } })),
        h('p', { class: 'muted small', i18n: 'talk.missedHint' }),
        missedError, missedEl))
    : null;

  const page = h('main', { class: ['page', 'inbox-page', roomId && 'has-conversation'], testid: 'inbox', dataset: { roomId: roomId ? String(roomId) : '' } },
    h('div', { class: 'page-top' }, h('h1', { i18n: 'inbox.title' })),
    listError.el,
    staffSection,
    h('div', { class: ['inbox-layout', roomId && 'has-conversation'] },
      h('aside', { class: 'card inbox-side' },
        h('h2', { class: 'sub-title', i18n: 'inbox.conversations' }),
        listEl),
      convEl));
  root.append(page);

  // ------------------------------------------------------------ the list
  function kindLabel(info) {
    return h('span', { class: `conv-kind kind-${info.kind}`, i18n: `chat.kind.${info.kind}` });
  }

  function renderList() {
    if (chat.inboxError && !chat.inboxLoaded) listError.show(chat.inboxError);
    else listError.hide();
    const rooms = chat.inboxRooms();
    listEl.dataset.loaded = String(chat.inboxLoaded);
    if (!chat.inboxLoaded) return;
    replaceChildren(listEl, rooms.length
      ? rooms.map((info) => {
        const unread = Math.max(0, Number(info.unread) || 0);
        // Staff: the title names the buyer and company; add the country.
        const other = info.kind === 'private' && info.buyer && info.buyer.id !== me.id ? countryName(info.buyer.country) : '';
        return h('li', {
          class: ['inbox-item', unread && 'has-unread', info.id === roomId && 'is-current'], testid: 'inbox-item',
          dataset: { roomId: String(info.id), kind: info.kind, unread: String(unread) },
        },
        h('a', { class: 'inbox-link', href: `#/inbox/${info.id}`, attrs: { 'aria-current': info.id === roomId ? 'true' : null } },
          h('span', { class: 'inbox-text' },
            h('span', { class: 'inbox-title', testid: 'inbox-title', text: info.title || t('chat.conversation') }),
            h('span', { class: 'inbox-sub small muted' }, kindLabel(info), other ? h('span', { text: ` · ${other}` }) : null)),
          unread
            ? h('span', { class: 'count-pill', testid: 'inbox-unread', dataset: { count: String(unread) }, text: String(unread),
              i18nAttr: { title: 'inbox.unread' }, i18nArgs: { count: unread } })
            : null));
      })
      : h('li', { class: 'muted small inbox-empty', testid: 'inbox-empty', i18n: staff ? 'inbox.emptyStaff' : 'inbox.empty' }));
  }

  // ------------------------------------------------------------ the open conversation
  function openConversation() {
    if (!roomId) {
      replaceChildren(convEl, h('div', { class: 'conv-placeholder', testid: 'conversation-none' },
        h('p', { class: 'muted', i18n: 'inbox.pick' })));
      return;
    }
    if (!Number.isSafeInteger(roomId) || roomId <= 0) {
      replaceChildren(convEl, h('p', { class: 'muted', testid: 'not-found', i18n: 'chat.error.noRoom' }));
      return;
    }
    const info = chat.inbox.get(roomId) || { id: roomId };
    room = chat.room(info);
    panel = chatPanel(ctx, room, { testid: 'conversation-chat', title: true });
    replaceChildren(convEl, h('a', { class: 'back-link inbox-back', href: '#/inbox', i18n: 'inbox.back' }), panel.el);
    requestAnimationFrame(() => panel?.shown());
  }

  // ------------------------------------------------------------ talk requests (staff)
  function requestRow(request, { missed = false } = {}) {
    const actionError = errorBox('talk-action-error');
    const accepted = request.state === 'accepted';
    let action = null;
    if (!missed && request.state === 'open') {
      action = h('button', {
        type: 'button', class: 'btn btn-primary btn-small', testid: 'talk-accept', i18n: 'talk.accept',
        on: {
          click: async (event) => {
            const button = event.currentTarget;
            button.disabled = true;
            try {
              const data = await chat.acceptTalk(request.id);
              if (data.room) ctx.navigate(`#/inbox/${data.room.id}`);
            } catch (error) {
              button.disabled = false;
              showError(actionError, error, { [ERROR_CODES.CONFLICT]: 'talk.takenByOther' });
            }
          },
        },
      });
    } else if (missed) {
      action = h('button', {
        type: 'button', class: 'btn btn-ghost btn-small', testid: 'talk-follow-up', i18n: 'talk.followUp',
        on: {
          click: async (event) => {
            const button = event.currentTarget;
            button.disabled = true;
            try {
              const info = await chat.open(`private:${request.company_id}:${request.buyer.id}`);
              ctx.navigate(`#/inbox/${info.id}`);
            } catch (error) {
              button.disabled = false;
              showError(actionError, error);
            }
          },
        },
      });
    }
    let status = null;
    if (accepted) {
      status = h('span', { class: 'talk-status small', testid: 'talk-status',
        i18n: request.accepted_by?.id === me.id ? 'talk.takenByYou' : 'talk.takenBy',
        i18nArgs: { name: request.accepted_by?.name || '' } });
    } else if (request.state === 'missed' && !missed) {
      status = h('span', { class: 'talk-status small', testid: 'talk-status', i18n: 'talk.missedShort' });
    }
    return h('li', { class: ['talk-item', `is-${request.state}`], testid: missed ? 'talk-missed-item' : 'talk-request', dataset: { requestId: String(request.id), state: request.state } },
      h('span', { class: 'talk-main' },
        h('strong', { class: 'talk-buyer', text: buyerLine(request.buyer) }),
        h('span', { class: 'small muted' }, messageTime(request.created_ms))),
      h('span', { class: 'talk-actions' }, status, action),
      actionError);
  }

  function renderRequests() {
    if (!staff) return;
    const shown = [...chat.talkRequests.values()]
      .filter((r) => r.state === 'open' || (r.state === 'accepted' && Date.now() - (r.resolved_ms || 0) < 60_000))
      .sort((a, b) => b.created_ms - a.created_ms);
    requestsEl.dataset.count = String(shown.filter((r) => r.state === 'open').length);
    replaceChildren(requestsEl, shown.length
      ? shown.map((r) => requestRow(r))
      : h('li', { class: 'muted small', i18n: session.duty ? 'talk.noneOpen' : 'talk.noneOffDuty' }));
  }

  async function loadMissed() {
    if (!staff) return;
    showError(missedError, null);
    try {
      const data = await api.talkRequests(me.company_id, 'missed');
      if (disposed) return;
      const requests = data.requests || [];
      missedEl.dataset.count = String(requests.length);
      replaceChildren(missedEl, requests.length
        ? requests.map((r) => requestRow(r, { missed: true }))
        : h('li', { class: 'muted small', i18n: 'talk.noneMissed' }));
    } catch (error) {
      if (disposed || ctx.handleAuthError(error)) return;
      showError(missedError, error);
    }
  }

  // ------------------------------------------------------------ wiring
  const offs = [
    chat.on('inbox', renderList),
    chat.on('talk-requests', ({ kind }) => {
      renderRequests();
      // A missed request leaves the follow-up list once the buyer's next one is taken.
      if (kind === EVENTS.TALK_MISSED || kind === EVENTS.TALK_TAKEN) loadMissed();
    }),
    ctx.onDuty(() => renderRequests()),
  ];
  renderList();
  openConversation();
  if (staff) {
    renderRequests();
    loadMissed();
    chat.refreshTalkRequests();
  }
  chat.refreshInbox();

  return () => {
    disposed = true;
    for (const off of offs) off();
    panel?.destroy();
    room?.release();
  };
}
