// views/visitors.js — who is in the booth now, for its staff (the console's live panel):
// buyers who agreed to share their contact details by name, firm and country, each with a
// one-click "invite to a meeting" (the booking page with the buyer chosen, as from a lead);
// the others only counted, as anonymous visitors. Fed by the booth room's presence.

import { h, replaceChildren } from '../dom.js';
import { countryName, formatTime, t } from '../i18n.js';
import { Presence } from '../presence.js';
import { initials } from './common.js';

/** The panel: `root` to place, `snapshot`/`event` to feed it from the booth room. */
export function visitorsPanel(companyId) {
  const presence = new Presence();
  const list = h('ul', { class: 'visitor-list', testid: 'console-visitor-list' });
  const anonymous = h('p', { class: 'muted small', testid: 'console-visitors-anon' });
  const root = h('div', { class: 'visitors-now' },
    h('h3', { class: 'sub-title', i18n: 'visitors.title' }), list, anonymous);

  function row({ user, since_ms: since }) {
    const invite = `#/meetings/book/${companyId}?buyer=${user.id}&name=${encodeURIComponent(user.name)}`;
    return h('li', { class: 'person visitor', testid: 'console-visitor', dataset: { userId: String(user.id) } },
      h('span', { class: 'avatar small role-buyer', text: initials(user.name), attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'person-main' },
        h('span', { class: 'person-name', testid: 'console-visitor-name', text: user.name }),
        h('span', { class: 'person-meta muted small' },
          [user.company_name, user.country ? countryName(user.country) : null].filter(Boolean).join(' · '),
          ' ',
          h('span', { text: t('visitors.since', { time: formatTime(since) }) }))),
      h('a', {
        class: 'btn btn-primary btn-small', href: invite, testid: 'console-visitor-invite',
        i18n: 'visitors.invite', i18nAttr: { 'aria-label': 'visitors.inviteWho' }, i18nArgs: { name: user.name },
      }));
  }

  function render() {
    const buyers = presence.users().filter(({ user }) => user.role === 'buyer');
    const named = buyers.filter(({ user }) => !user.anonymous);
    const unnamed = buyers.length - named.length;
    replaceChildren(list, named.length
      ? named.map(row)
      : h('li', { class: 'muted small', i18n: 'visitors.noneNamed' }));
    anonymous.hidden = unnamed === 0;
    anonymous.textContent = t('visitors.anonymous', { count: unnamed });
    anonymous.dataset.count = String(unnamed);
  }

  render();
  return {
    root,
    render,
    snapshot(members, total) {
      presence.reset(members, total);
      render();
    },
    event(event) {
      if (presence.apply(event)) render();
    },
  };
}
