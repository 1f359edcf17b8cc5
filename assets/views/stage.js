// views/stage.js — one stage show (#/show/{id}, issue 14, docs/stage.md): its title and
// description in the viewer's language, the host company (a link to its booth), when it runs
// (in the viewer's own time zone), its state and how many are watching, and the player.
//
// Opening the page subscribes the hub to `show:{id}` (that makes the viewer one of the show's
// viewers). show_live attaches the player without a reload (the media server's HLS playlist,
// stage-player.js; an external stream is a link), show_ended stops it and says the show has
// ended; an ended show with a recording plays it with its chat and pins in step
// (stage-replay.js); show_pin brings the pinned product's card (or takes it down): visit the booth, book a
// meeting (the booking page gets the show's id), and for buyers a quote or sample request
// (stage-quote.js). The show is fetched again after each event, after a reconnect, on a language switch
// and now and then for its viewer count. Beside the player (below it on a phone): the show's
// own chat, its reactions and, for moderators, its slow mode (stage-chat.js); show_reactions
// in `show:{id}` feed the reaction counts.

import { h, replaceChildren } from '../dom.js';
import { EVENTS, ROOM_KINDS, roomName } from '../gen/protocol.js';
import { formatTime, getLang, onLangChange } from '../i18n.js';
import { debounce, formatDateTime, pageError, safeUrl } from './common.js';
import { showSide } from './stage-chat.js';
import { showQa } from './stage-qa.js';
import { playHls } from './stage-player.js';
import { replayPart } from './stage-replay.js';
import { stageApi, stateBadge, viewersLabel } from './stage-parts.js';
import { quotePart } from './stage-quote.js';

export function mountShow(root, ctx, params, arg) {
  const { session } = ctx;
  const showId = Number(arg);
  if (!Number.isSafeInteger(showId) || showId <= 0) {
    root.append(h('main', { class: 'page narrow' },
      h('div', { class: 'card', testid: 'not-found' },
        h('h1', { i18n: 'notfound.title' }),
        h('a', { href: '#/lobby', class: 'btn btn-primary', i18n: 'notfound.link' }))));
    return null;
  }

  let show = null;
  let disposed = false;
  let seq = 0;
  let timer = null;
  let player = null; // { key, stop() }
  let quote = null; // { el, productId }: kept while the same product stays pinned

  const loadError = pageError('show-error', () => load());
  const head = h('header', { class: 'show-head', testid: 'show-head' },
    h('p', { class: 'muted', i18n: 'common.loading' }));
  const stage = h('section', { class: 'show-stage', testid: 'show-player', i18nAttr: { 'aria-label': 'stage.playerLabel' } });
  const pin = h('section', { class: 'show-pin card', testid: 'show-pin', hidden: true, i18nAttr: { 'aria-label': 'stage.pinned' } });
  const about = h('section', { class: 'show-about' });
  const side = showSide(ctx, showId);
  const me = session.user;
  // Moderators: organizers and the host company's staff (known once the show is).
  const qa = showQa(ctx, showId, () => me.role === 'organizer'
    || (me.role === 'exhibitor' && me.company_id != null && me.company_id === show?.host_company_id));
  const page = h('main', { class: 'page show-page', testid: 'show-page', dataset: { showId: String(showId) } },
    h('a', { class: 'back-link', href: '#/lobby', i18n: 'stage.back' }),
    loadError.el,
    head,
    h('div', { class: 'show-layout' },
      h('div', { class: 'show-main' }, stage, pin, about, qa.el),
      side.el));
  root.append(page);

  // ------------------------------------------------------------ the page
  function renderHead() {
    page.dataset.state = show.state;
    const host = show.host_company_id
      ? h('a', { class: 'show-host', testid: 'show-host', href: `#/booth/${show.host_company_id}`, text: show.host_company_name || '' })
      : null;
    replaceChildren(head,
      h('div', { class: 'show-badges' }, stateBadge(show.state), viewersLabel(show.viewers)),
      h('h1', { class: 'show-title', testid: 'show-title', text: show.title }),
      h('p', { class: 'show-meta muted' },
        h('span', { class: 'show-time', testid: 'show-time', text: `${formatDateTime(show.starts_ms)} – ${formatTime(show.ends_ms)}` }),
        host ? h('span', { class: 'show-host-line' }, h('span', { i18n: 'stage.host' }), ' ', host) : null));
    replaceChildren(about,
      show.description ? h('p', { class: 'show-description', testid: 'show-description', text: show.description }) : null);
  }

  function note(key, args, testid) {
    return h('div', { class: 'show-note', testid }, h('p', { i18n: key, i18nArgs: args }));
  }

  /** The player box: the video while live, otherwise when it starts or that it ended. */
  function renderStage() {
    // An external stream is a link: the fair's content security policy admits media from its
    // own origin and the stage's media server only, not from any host (docs/stage.md).
    const hls = show.state === 'live' && !show.external_url ? show.hls_url : null;
    const external = show.external_url ? safeUrl(show.external_url) : null;
    // The same state and stream keep the player playing; a language switch redraws the notes
    // (their dates are formatted in the language).
    const key = show.state === 'live' && hls ? `live|${hls}|${external || ''}`
      : show.state === 'ended' && show.replay_url ? `replay|${show.replay_url}|${show.recording_ms}`
        : `${show.state}|${external || ''}|${getLang()}`;
    if (player?.key === key) return;
    player?.stop();
    player = null;
    stage.dataset.state = show.state;
    if (show.state === 'ended' && show.replay_url) {
      // The recording, with the chat and the pins in step; a language switch keeps it playing.
      const replay = replayPart(ctx, show);
      replaceChildren(stage, note('stage.replayNote', {}, 'show-ended'), replay.el);
      player = { key, stop: () => replay.stop() };
      return;
    }
    if (show.state === 'ended') {
      replaceChildren(stage, note('stage.endedNote', {}, 'show-ended'));
      player = { key, stop() {} };
      return;
    }
    if (show.state === 'scheduled') {
      replaceChildren(stage, note('stage.scheduledNote', { time: formatDateTime(show.starts_ms) }, 'show-scheduled'),
        external ? externalLink(external) : null);
      player = { key, stop() {} };
      return;
    }
    // Live.
    const status = h('p', { class: 'show-status muted small', testid: 'show-status', attrs: { 'aria-live': 'polite' } });
    const setStatus = (state) => {
      stage.dataset.player = state;
      const key = { loading: 'stage.waiting', unsupported: 'stage.unsupported' }[state];
      status.hidden = !key;
      replaceChildren(status, key ? h('span', { i18n: key }) : null);
    };
    if (hls) {
      const video = h('video', {
        class: 'show-video', testid: 'show-video', controls: true, autoplay: true,
        i18nAttr: { 'aria-label': 'stage.videoLabel' },
      });
      replaceChildren(stage, h('div', { class: 'show-video-box' }, video), status, external ? externalLink(external) : null);
      const playing = playHls(video, hls, { onState: setStatus });
      player = { key, stop: () => playing.stop() };
      return;
    }
    replaceChildren(stage, note('stage.externalNote', {}, 'show-external-note'), external ? externalLink(external) : null);
    player = { key, stop() {} };
  }

  function externalLink(url) {
    return h('a', {
      class: 'btn btn-ghost show-external', testid: 'show-external', href: url, target: '_blank', rel: 'noopener noreferrer',
      i18n: 'stage.watchExternal',
    });
  }

  /** The product the host pinned, in the viewer's language: its booth, a quote or sample
   * request (buyers), and a meeting booked from the show. */
  function renderPin() {
    const product = show.pinned_product;
    pin.hidden = !product;
    pin.dataset.productId = product ? String(product.id) : '';
    if (!product) {
      quote = null;
      replaceChildren(pin);
      return;
    }
    if (session.user?.role === 'buyer' && quote?.productId !== product.id) {
      quote = quotePart({ showId, productId: product.id, onError: (e) => ctx.handleAuthError(e) });
    }
    const book = `#/meetings/book/${product.company_id}?show=${showId}&product=${product.id}`;
    const fact = (key, value) => (value
      ? h('p', { class: 'small' }, h('span', { class: 'muted', i18n: key }), ' ', h('span', { text: value }))
      : null);
    replaceChildren(pin,
      h('p', { class: 'show-pin-label small', i18n: 'stage.pinned' }),
      h('h2', { class: 'show-pin-name', testid: 'show-pin-name', text: product.name }),
      h('p', { class: 'muted small', testid: 'show-pin-company', text: product.company_name }),
      product.description ? h('p', { class: 'show-pin-description', text: product.description }) : null,
      fact('product.minOrder', product.min_order),
      fact('product.priceRange', product.price_range),
      h('p', { class: 'show-pin-actions' },
        h('a', { class: 'btn btn-ghost btn-small', testid: 'show-pin-booth', href: `#/booth/${product.company_id}`, i18n: 'stage.visitBooth' }),
        ' ',
        h('a', { class: 'btn btn-primary btn-small', testid: 'show-pin-book', href: book, i18n: 'meet.book' })),
      quote?.el);
  }

  function render() {
    if (!show) return;
    renderHead();
    renderStage();
    renderPin();
    qa.refresh();
  }

  // ------------------------------------------------------------ loading and events
  async function load() {
    const mine = ++seq;
    clearTimeout(timer);
    try {
      const data = await stageApi.show(showId, getLang());
      if (disposed || mine !== seq) return;
      loadError.hide();
      show = data;
      render();
    } catch (error) {
      if (disposed || mine !== seq) return;
      if (ctx.handleAuthError(error)) return;
      if (!show) replaceChildren(head);
      loadError.show(error);
    } finally {
      // The viewer count moves without events: now and then, spread over viewers.
      if (!disposed && mine === seq) timer = setTimeout(load, 20_000 + Math.random() * 20_000);
    }
  }
  const reload = debounce(load, 500);

  function onEvent(event) {
    if (event?.kind === EVENTS.SHOW_REACTIONS) {
      side.onEvent(event);
      return;
    }
    if ([EVENTS.SHOW_QUESTION, EVENTS.SHOW_QUESTION_UPDATE, EVENTS.SHOW_POLL].includes(event?.kind)) {
      qa.onEvent(event);
      return;
    }
    if (!show || Number(event?.show_id) !== showId) return;
    if (event.kind === EVENTS.SHOW_LIVE) {
      // Live now: the player comes at once, then the show (viewers) is fetched again.
      seq += 1; // an answer already on its way is older than this
      show = {
        ...show, state: 'live', live_since_ms: event.live_since_ms ?? show.live_since_ms, ended_ms: null,
        hls_url: event.hls_url ?? show.hls_url, external_url: event.external_url ?? show.external_url,
      };
      render();
      reload();
    } else if (event.kind === EVENTS.SHOW_PIN) {
      // The card comes with the show in the viewer's language.
      if (event.product_id == null) {
        show = { ...show, pinned_product_id: null, pinned_product: null };
        render();
      }
      load();
    } else if (event.kind === EVENTS.SHOW_REPLAY) {
      // The recording is ready: the ended show plays it with its chat in step.
      show = { ...show, replay_url: event.replay_url, recording_ms: event.recording_ms };
      render();
    } else if (event.kind === EVENTS.SHOW_ENDED) {
      seq += 1;
      show = { ...show, state: 'ended', ended_ms: event.ended_ms ?? show.ended_ms };
      render();
      reload();
    }
  }

  load();
  const unsubscribe = session.hub.subscribe(roomName(ROOM_KINDS.SHOW, showId), {
    onSnapshot() {
      // In the room now: the viewer count includes this viewer. After a reconnect events may
      // have been missed. Either way the show is fetched again, with its questions and polls.
      reload();
      qa.reload();
    },
    onEvent,
    onError(error) {
      if (!show) loadError.show(error);
    },
  });
  const offLang = onLangChange(() => load());

  return () => {
    disposed = true;
    clearTimeout(timer);
    reload.cancel();
    player?.stop();
    unsubscribe();
    offLang();
    side.dispose();
    qa.dispose();
  };
}
