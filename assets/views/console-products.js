// views/console-products.js — the console's products card: the list, and the editor of one
// product (its fields, its texts per language, its photos, which are uploaded through the
// media card's uploadFile). `page` is the console: {ctx, companyId, load(), current(),
// productTexts()} — current() is the company in its base language, as last loaded.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { mediaUrl } from './common.js';
import { busy, input, orNull, savedNote, splitList, translations } from './console-parts.js';
import { errorBox, field, showError } from './forms.js';

export function productsSection({ ctx, companyId, load, current, productTexts }, { uploadFile, mediaTile }) {
  const productsList = h('ul', { class: 'console-list', testid: 'console-products' });
  const productEditorSlot = h('div', { class: 'product-editor-slot' });
  const addProductButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'product-add', i18n: 'console.addProduct' });
  const productsError = errorBox('products-error');
  let editor = null; // the open product editor: {productId, el}

  addProductButton.addEventListener('click', () => openProductEditor(null));

  function renderProducts() {
    const products = current()?.products || [];
    replaceChildren(productsList, products.length
      ? products.map((p) => h('li', { class: 'console-row', testid: 'console-product', dataset: { productId: String(p.id) } },
        (p.photos || []).length && mediaUrl(p.photos[0].url)
          ? h('img', { class: 'thumb', src: mediaUrl(p.photos[0].url), alt: '' })
          : h('span', { class: 'thumb is-placeholder', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'row-main' },
          h('strong', { class: 'row-title', text: p.name }),
          h('span', { class: 'muted small', text: [p.code, p.hs_code && `HS ${p.hs_code}`, p.category, p.price_range].filter(Boolean).join(' · ') })),
        h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'product-edit', i18n: 'console.edit', on: { click: () => openProductEditor(p.id) } }),
          h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'product-delete', i18n: 'console.delete', on: { click: (e) => deleteProduct(p, e.currentTarget) } }))))
      : h('li', { class: 'muted small', i18n: 'company.noProducts' }));
  }

  async function deleteProduct(p, button) {
    if (!window.confirm(t('console.confirmDeleteProduct', { name: p.name }))) return;
    showError(productsError, null);
    await busy(button, async () => {
      try {
        await api.deleteProduct(p.id);
        if (editor?.productId === p.id) closeProductEditor();
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(productsError, error);
      }
    });
  }

  function closeProductEditor() {
    editor = null;
    replaceChildren(productEditorSlot);
    addProductButton.hidden = false;
  }

  function openProductEditor(productId) {
    const product = productId ? (current().products || []).find((p) => p.id === productId) : null;
    if (productId && !product) return closeProductEditor();
    const f = {
      name: input('product-name', { name: 'name', required: true, maxLength: 120 }),
      code: input('product-code', { name: 'code', maxLength: 60 }),
      hs_code: input('product-hs', { name: 'hs_code', maxLength: 12, placeholder: '2005.99', attrs: { inputmode: 'decimal' } }),
      category: input('product-category', { name: 'category', maxLength: 60 }),
      description: input('product-description', { name: 'description', multiline: true, maxLength: 5000 }),
      tags: input('product-tags', { name: 'tags', maxLength: 600 }),
      min_order: input('product-min-order', { name: 'min_order', maxLength: 80, i18nAttr: { placeholder: 'product.minOrderExample' } }),
      price_range: input('product-price', { name: 'price_range', maxLength: 80, i18nAttr: { placeholder: 'product.priceExample' } }),
      certifications: input('product-certs', { name: 'certifications', maxLength: 600, i18nAttr: { placeholder: 'product.certsExample' } }),
    };
    const tr = translations([
      { name: 'name', labelKey: 'product.name', maxLength: 120 },
      { name: 'description', labelKey: 'product.description', multiline: true, maxLength: 5000 },
    ], 'product-tr');
    if (product) {
      for (const key of ['name', 'code', 'hs_code', 'category', 'description', 'min_order', 'price_range']) f[key].value = product[key] || '';
      f.tags.value = (product.tags || []).join(', ');
      f.certifications.value = (product.certifications || []).join(', ');
      tr.set(productTexts()[product.id] || {});
    }
    const error = errorBox('product-error');
    const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'product-save', i18n: product ? 'console.save' : 'console.addProduct' });
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', testid: 'product-cancel', i18n: 'console.cancel', on: { click: closeProductEditor } });

    // Photos: only for a product that exists (the upload names it).
    let photoBlock = null;
    let refreshPhotos = null;
    if (product) {
      const photoList = h('ul', { class: 'thumb-list', testid: 'product-photo-list' });
      refreshPhotos = () => {
        const fresh = (current().products || []).find((p) => p.id === product.id);
        replaceChildren(photoList, (fresh?.photos || []).map((m) => mediaTile(m, 'photo')));
      };
      refreshPhotos();
      const photoFile = h('input', { type: 'file', testid: 'photo-file', accept: 'image/png,image/jpeg,image/webp,image/gif' });
      const photoError = errorBox('photo-error');
      const progress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
      photoFile.addEventListener('change', async () => {
        const file = photoFile.files?.[0];
        if (!file) return;
        showError(photoError, null);
        await uploadFile({
          kind: 'photo', title: product.name, file, productId: product.id, errorEl: photoError, progress, control: photoFile,
        });
        photoFile.value = '';
      });
      photoBlock = h('div', { class: 'span-2 photo-block' },
        h('span', { class: 'field-label', i18n: 'product.photos' }),
        photoList,
        h('label', { class: 'btn btn-ghost btn-small file-btn' }, h('span', { i18n: 'console.addPhoto' }), photoFile),
        progress,
        photoError);
    }

    const form = h('form', { class: 'form form-grid card inset', testid: 'product-form', noValidate: true, dataset: { productId: product ? String(product.id) : '' } },
      h('h3', { class: 'span-2', i18n: product ? 'console.editProduct' : 'console.newProduct' }),
      field('product.name', f.name),
      field('product.code', f.code),
      field('product.hsCode', f.hs_code, { hintKey: 'product.hsHint' }),
      field('product.category', f.category),
      field('product.description', f.description, { className: 'span-2' }),
      field('product.minOrder', f.min_order),
      field('product.priceRange', f.price_range),
      field('product.tags', f.tags, { hintKey: 'console.listHint' }),
      field('product.certifications', f.certifications, { hintKey: 'console.listHint' }),
      tr.el,
      photoBlock,
      h('div', { class: 'span-2' }, error),
      h('div', { class: 'form-actions span-2' }, save, cancel));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      showError(error, null);
      const body = {
        name: f.name.value.trim(),
        code: orNull(f.code.value),
        description: orNull(f.description.value),
        hs_code: orNull(f.hs_code.value),
        category: orNull(f.category.value),
        tags: splitList(f.tags.value),
        min_order: orNull(f.min_order.value),
        price_range: orNull(f.price_range.value),
        certifications: splitList(f.certifications.value),
        texts: tr.get(),
      };
      if (!body.name) {
        showError(error, { code: ERROR_CODES.VALIDATION, message: t('product.nameRequired') });
        f.name.focus();
        return;
      }
      await busy(save, async () => {
        try {
          if (product) await api.updateProduct(product.id, body);
          else await api.createProduct(companyId, body);
          closeProductEditor();
          productsSaved.show();
          await load();
        } catch (e) {
          if (ctx.handleAuthError(e)) return;
          showError(error, e);
        }
      });
    });

    editor = { productId, el: form, relabel: tr.relabel, refreshPhotos };
    replaceChildren(productEditorSlot, form);
    addProductButton.hidden = true;
    f.name.focus();
    return undefined;
  }
  const productsSaved = savedNote('products-saved');

  /** After a load: the product being edited may be gone (deleted elsewhere), or its photos changed. */
  function afterLoad() {
    if (!editor?.productId) return;
    if ((current().products || []).some((p) => p.id === editor.productId)) editor.refreshPhotos?.();
    else closeProductEditor();
  }

  const el = h('section', { class: 'card', testid: 'console-products-section' },
    h('div', { class: 'section-head' }, h('h2', { i18n: 'company.products' }), h('span', {}, productsSaved.el, ' ', addProductButton)),
    productsError,
    productEditorSlot,
    productsList);
  return { el, render: renderProducts, afterLoad, relabel: () => editor?.relabel?.() };
}
