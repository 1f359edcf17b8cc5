// views/booth-products.js — a booth's products (views/booth.js): the grid of product
// cards, and one product's details (photos, description, facts, certifications) in a
// drawer, its opening reported to the exhibitor's leads.

import { h, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { mediaUrl, tagChips } from './common.js';

function productFacts(p) {
  const fact = (key, value) => (value ? [h('dt', { i18n: key }), h('dd', { text: value })] : null);
  return h('dl', { class: 'facts' },
    fact('product.hsCode', p.hs_code),
    fact('product.category', p.category),
    fact('product.minOrder', p.min_order),
    fact('product.priceRange', p.price_range),
    fact('product.code', p.code));
}

function openProduct(p, card, { detail, dialog, recordOpen }) {
  const closeButton = h('button', { type: 'button', class: 'btn btn-ghost icon-close', testid: 'product-close',
    i18nAttr: { 'aria-label': 'common.close' }, text: '×', on: { click: () => dialog.close() } });
  const photos = (p.photos || []).map((m) => ({ ...m, src: mediaUrl(m.url) })).filter((m) => m.src);
  replaceChildren(dialog, h('div', { class: 'drawer-body', dataset: { productId: String(p.id) } },
    closeButton,
    h('p', { class: 'eyebrow', text: detail.company.name }),
    h('h2', { testid: 'product-name', text: p.name }),
    photos.length
      ? h('div', { class: 'gallery', testid: 'product-photos' },
        photos.map((m) => h('a', { href: m.src, target: '_blank', rel: 'noopener' },
          h('img', { src: m.src, alt: m.title || p.name, attrs: { loading: 'lazy' } }))))
      : null,
    p.description ? h('p', { class: 'prose', text: p.description }) : null,
    productFacts(p),
    (p.certifications || []).length
      ? [h('h3', { i18n: 'product.certifications' }),
        h('div', { class: 'tags' }, p.certifications.map((c) => h('span', { class: 'tag tag-cert', text: c })))]
      : null,
    (p.tags || []).length ? [h('h3', { i18n: 'product.tags' }), tagChips(p.tags)] : null));
  if (!dialog.open) dialog.showModal();
  recordOpen('product', p.id, card);
}

/**
 * Draws the products card into productsEl. page: {detail, dialog, recordOpen(kind, id, el)};
 * a card opens the product's details in the page's dialog and reports the opening.
 */
export function renderProducts(productsEl, page) {
  const { detail } = page;
  const products = detail.products || [];
  productsEl.hidden = false;
  replaceChildren(productsEl,
    h('div', { class: 'section-head' },
      h('h2', { i18n: 'company.products' }),
      h('span', { class: 'count-pill muted-pill', text: String(products.length) })),
    products.length
      ? h('div', { class: 'product-grid', testid: 'booth-products' }, products.map((p) => {
        const photo = (p.photos || []).map((m) => mediaUrl(m.url)).find(Boolean);
        const card = h('button', {
          type: 'button', class: 'product-card', testid: 'product-card', dataset: { productId: String(p.id) },
        },
        photo
          ? h('img', { class: 'product-photo', src: photo, alt: '', attrs: { loading: 'lazy' } })
          : h('span', { class: 'product-photo is-placeholder', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'product-body' },
          h('span', { class: 'product-head' },
            h('strong', { class: 'product-name', text: p.name }),
            p.hs_code ? h('span', { class: 'hs', i18n: 'product.hs', i18nArgs: { code: p.hs_code } }) : null),
          p.description ? h('span', { class: 'product-desc', text: p.description }) : null,
          h('span', { class: 'product-meta' },
            p.price_range ? h('span', { text: p.price_range }) : null,
            p.min_order ? h('span', { text: t('product.moq', { value: p.min_order }) }) : null),
          (p.certifications || []).length
            ? h('span', { class: 'tags' }, p.certifications.map((c) => h('span', { class: 'tag tag-cert', text: c })))
            : null,
          h('span', { class: 'product-more', i18n: 'product.details' })));
        card.addEventListener('click', () => openProduct(p, card, page));
        return card;
      }))
      : h('p', { class: 'muted card', i18n: 'company.noProducts' }));
}
