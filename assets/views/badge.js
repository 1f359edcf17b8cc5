// views/badge.js — the signed-in person's badge (#/badge, everyone): the QR code of their
// badge code (GET /api/v1/me/badge.svg, fetched with the session and shown from an object
// URL) and the code itself, to show on a phone at the entrance or a booth, or to print (the
// print style leaves only the badge). The code is made on the first request and stays.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { countryName } from '../i18n.js';
import { pageError, roleBadge } from './common.js';

export function mountBadge(root, ctx) {
  const { session } = ctx;
  const me = session.user;
  let objectUrl = null;
  let disposed = false;

  const error = pageError('badge-error', () => load());
  const qrBox = h('div', { class: 'badge-qr' }, h('p', { class: 'muted', i18n: 'common.loading' }));
  const codeEl = h('code', { class: 'badge-code', testid: 'badge-code' });
  const download = h('a', { class: 'btn btn-ghost btn-small', testid: 'badge-download', i18n: 'badge.download', hidden: true });
  const card = h('section', { class: 'card badge-card', testid: 'badge-card' },
    h('p', { class: 'eyebrow badge-fair', testid: 'badge-fair', text: session.fair?.name || '' }),
    h('h1', { class: 'badge-name', testid: 'badge-name', text: me.name }),
    h('p', { class: 'badge-meta' },
      roleBadge(me.role),
      me.country ? h('span', { class: 'muted', text: countryName(me.country) }) : null),
    qrBox,
    h('p', { class: 'badge-code-line' }, h('span', { class: 'muted small', i18n: 'badge.codeLabel' }), codeEl));

  root.append(h('main', { class: 'page narrow badge-page', testid: 'badge' },
    error.el,
    card,
    h('p', { class: 'muted small badge-hint no-print', i18n: 'badge.hint' }),
    h('div', { class: 'form-actions no-print' },
      h('button', { type: 'button', class: 'btn btn-primary', testid: 'badge-print', i18n: 'badge.print', on: { click: () => window.print() } }),
      download)));

  async function load() {
    error.hide();
    try {
      const [badge, svg] = await Promise.all([api.myBadge(), api.myBadgeSvg()]);
      if (disposed) return;
      codeEl.textContent = badge.code;
      card.dataset.code = badge.code;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = URL.createObjectURL(svg);
      replaceChildren(qrBox, h('img', {
        src: objectUrl, testid: 'badge-qr', width: 240, height: 240, i18nAttr: { alt: 'badge.qrAlt' }, i18nArgs: { code: badge.code },
      }));
      download.href = objectUrl;
      download.setAttribute('download', `badge-${badge.code}.svg`);
      download.hidden = false;
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      replaceChildren(qrBox);
      error.show(e);
    }
  }

  load();
  if (!session.fair) {
    // The fair's name for the printed badge (the header asks for it too, maybe not yet answered).
    api.fair().then((fair) => {
      if (!disposed && fair?.name) card.querySelector('[data-testid="badge-fair"]').textContent = fair.name;
    }, () => {});
  }

  return () => {
    disposed = true;
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  };
}
