// views/layout.js — the two-panel frame of the signed-out pages: a hero about the fair on
// the left (on top on phones) and the page's card on the right.

import { h } from '../dom.js';

export function authLayout(card) {
  return h('main', { class: 'auth-page' },
    h('section', { class: 'auth-hero' },
      h('p', { class: 'eyebrow', i18n: 'hero.eyebrow' }),
      h('h2', { class: 'hero-title', i18n: 'hero.title' }),
      h('p', { class: 'hero-text', i18n: 'hero.text' }),
      h('ul', { class: 'hero-points' },
        h('li', { i18n: 'hero.point1' }),
        h('li', { i18n: 'hero.point2' }),
        h('li', { i18n: 'hero.point3' }))),
    h('section', { class: 'auth-main' }, card));
}
