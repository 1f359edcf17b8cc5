// views/stage-quote.js — "Request a quote or sample" on a show's pinned product card (issue
// 14, commerce in the stream; docs/stage.md): a button that opens a small form (a quote or a
// sample, the quantity, a message, and the consent that the exhibitor gets the buyer's
// contact, which must be ticked), posted to POST /api/v1/products/{id}/quote-requests with
// the show's id; a confirmation after. The show page keeps the element while the same
// product stays pinned, so a re-render of the card (the show is fetched now and then) keeps
// what the buyer typed.

import { h, replaceChildren } from '../dom.js';
import { errorBox, field, setBusy, showError } from './forms.js';
import { stageApi } from './stage-parts.js';

/**
 * The quote part for one pinned product: `{el, productId}`. `onError(error)` gets a failed
 * request first (a lost session); it returns true when it dealt with it.
 */
export function quotePart({ showId, productId, onError }) {
  const el = h('div', { class: 'show-quote', testid: 'show-quote' });
  let sending = false;

  const open = h('button', {
    type: 'button', class: 'btn btn-ghost btn-small', testid: 'show-pin-quote', i18n: 'stage.quote.open',
    on: { click: () => renderForm() },
  });

  function renderClosed() {
    replaceChildren(el, open);
  }

  function renderForm() {
    const kind = h('select', { name: 'kind', testid: 'quote-kind' },
      h('option', { value: 'quote', i18n: 'stage.quote.kindQuote' }),
      h('option', { value: 'sample', i18n: 'stage.quote.kindSample' }));
    const quantity = h('input', {
      type: 'text', name: 'quantity', maxLength: 100, testid: 'quote-quantity',
      i18nAttr: { placeholder: 'stage.quote.quantityHint' },
    });
    const message = h('textarea', { name: 'message', rows: 3, maxLength: 2000, testid: 'quote-message' });
    const error = errorBox('quote-error');
    const consent = h('input', {
      type: 'checkbox', name: 'consent', testid: 'quote-consent',
      on: { change: () => { if (consent.checked) showError(error, null); } },
    });
    const send = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'quote-send', i18n: 'stage.quote.send' });
    const cancel = h('button', {
      type: 'button', class: 'btn btn-ghost btn-small', testid: 'quote-cancel', i18n: 'stage.quote.cancel',
      on: { click: () => renderClosed() },
    });
    const form = h('form', {
      class: 'show-quote-form', testid: 'quote-form', noValidate: true,
      on: {
        submit: async (event) => {
          event.preventDefault();
          if (sending) return;
          if (!consent.checked) {
            showError(error, { code: 'consent' }, { consent: 'stage.quote.consentNeeded' });
            consent.focus();
            return;
          }
          sending = true;
          setBusy(send, true, 'stage.quote.sending', 'stage.quote.send');
          showError(error, null);
          try {
            await stageApi.requestQuote(productId, {
              kind: kind.value,
              quantity: quantity.value.trim() || undefined,
              message: message.value.trim() || undefined,
              show_id: showId,
              consent: true,
            });
            renderSent(kind.value);
          } catch (e) {
            if (onError?.(e)) return;
            showError(error, e);
          } finally {
            sending = false;
            if (send.isConnected) setBusy(send, false, 'stage.quote.sending', 'stage.quote.send');
          }
        },
      },
    },
    h('h3', { class: 'small', i18n: 'stage.quote.title' }),
    field('stage.quote.kind', kind),
    field('stage.quote.quantity', quantity),
    field('stage.quote.message', message),
    h('label', { class: 'show-quote-consent' }, consent, h('span', { i18n: 'stage.quote.consent' })),
    error,
    h('p', { class: 'show-quote-actions' }, send, ' ', cancel));
    replaceChildren(el, form);
    kind.focus();
  }

  function renderSent(kind) {
    replaceChildren(el,
      h('p', {
        class: 'alert alert-info small', testid: 'quote-sent', attrs: { role: 'status' },
        i18n: kind === 'sample' ? 'stage.quote.sentSample' : 'stage.quote.sentQuote',
      }));
  }

  renderClosed();
  return { el, productId };
}
