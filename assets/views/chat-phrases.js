// views/chat-phrases.js — the phrasebook picker above a conversation's message box: ready
// phrases by topic in the viewer's language, a phrase's blanks (a quantity, an Incoterms
// rule) filled in, then sent as a phrase reference that each reader sees in their own
// language (the phrase list itself: assets/phrases.js).

import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { errorMessage, getLang } from '../i18n.js';
import { inLang, loadPhrasebook, phrasebook, phraseGroups, phraseParams, phraseText, validParam } from '../phrases.js';
import { showError } from './forms.js';

/**
 * The picker's behaviour for the elements chat.js draws: toggle(open?) and render() (after a
 * language change). onSent runs after a phrase went out, onLoaded once the phrasebook arrived.
 */
export function phrasePicker({ picker, phrasesBtn, composer, input, sendError, room, onSent, onLoaded }) {
  let chosen = null; // {phrase, values: {name: value}} while the sender fills in a phrase
  let pickerFailed = null;

  function togglePicker(open = picker.hidden) {
    picker.hidden = !open;
    phrasesBtn.setAttribute('aria-expanded', String(open));
    phrasesBtn.classList.toggle('is-on', open);
    if (!open) {
      chosen = null;
      return;
    }
    renderPicker();
    reveal();
    if (!phrasebook()) {
      loadPhrasebook().then(() => {
        pickerFailed = null;
        renderPicker();
        reveal();
        onLoaded();
      }, (error) => {
        pickerFailed = error;
        renderPicker();
      });
    }
  }

  /** A phrase's text in the picker: its blanks ({qty}) shown as their labels, marked. */
  function phraseWithBlanks(phrase, lang) {
    const labels = Object.fromEntries(phraseParams(phrase, lang).map((p) => [p.name, p.label]));
    return inLang(phrase.text, lang).split(/(\{\w+\})/).filter(Boolean).map((part) => {
      const name = part.match(/^\{(\w+)\}$/)?.[1];
      return name ? h('span', { class: 'phrase-blank', text: labels[name] ?? name }) : part;
    });
  }

  /** Scrolls the page so the picker and the composer under it are in view. */
  function reveal() {
    if (!picker.hidden) composer.scrollIntoView({ block: 'end' });
  }

  function choose(phrase) {
    chosen = { phrase, values: {} };
    for (const param of phraseParams(phrase, getLang())) {
      chosen.values[param.name] = param.kind === 'choice' ? param.choices[0] : '';
    }
    renderPicker();
    const first = picker.querySelector('[data-testid="phrase-param"], [data-testid="phrase-send"]');
    first?.focus();
  }

  function sendChosen() {
    if (!chosen) return;
    const lang = getLang();
    const params = phraseParams(chosen.phrase, lang);
    const missing = params.find((p) => !validParam(p, String(chosen.values[p.name] ?? '').trim()));
    if (missing) {
      showError(sendError, { code: ERROR_CODES.VALIDATION }, { [ERROR_CODES.VALIDATION]: 'chat.phraseFillIn' });
      picker.querySelector(`[data-param="${missing.name}"]`)?.focus();
      return;
    }
    const ref = { id: chosen.phrase.id, params: {} };
    for (const p of params) ref.params[p.name] = String(chosen.values[p.name]).trim();
    showError(sendError, null);
    room.send(phraseText(ref, lang), ref);
    togglePicker(false);
    onSent();
    input.focus();
  }

  function paramField(param) {
    const common = {
      class: 'phrase-param', testid: 'phrase-param', dataset: { param: param.name }, attrs: { 'aria-label': param.label },
    };
    if (param.kind === 'choice') {
      return h('label', { class: 'phrase-param-label' }, h('span', { class: 'small', text: param.label }),
        h('select', {
          ...common,
          on: { change: (event) => { chosen.values[param.name] = event.target.value; } },
        }, param.choices.map((c) => h('option', { value: c, text: c, selected: chosen.values[param.name] === c }))));
    }
    return h('label', { class: 'phrase-param-label' }, h('span', { class: 'small', text: param.label }),
      h('input', {
        ...common, type: 'text', value: chosen.values[param.name] ?? '',
        attrs: { ...common.attrs, inputmode: 'numeric', pattern: '[0-9]*', maxlength: '9', size: '6' },
        on: {
          input: (event) => { chosen.values[param.name] = event.target.value; },
          keydown: (event) => {
            if (event.key === 'Enter' && !event.isComposing) {
              event.preventDefault();
              sendChosen();
            }
          },
        },
      }));
  }

  function renderPicker() {
    if (picker.hidden) return;
    const lang = getLang();
    if (!phrasebook()) {
      replaceChildren(picker, pickerFailed
        ? h('p', { class: 'small msg-error', text: errorMessage(pickerFailed) })
        : h('p', { class: 'muted small', i18n: 'common.loading' }));
      return;
    }
    const head = h('div', { class: 'phrase-picker-head' },
      h('strong', { i18n: 'chat.phrasesTitle' }),
      h('button', {
        type: 'button', class: 'btn btn-ghost btn-tiny', testid: 'phrase-close', i18n: 'common.close',
        on: { click: () => { togglePicker(false); input.focus(); } },
      }));
    if (chosen) {
      const params = phraseParams(chosen.phrase, lang);
      replaceChildren(picker, head,
        h('div', { class: 'phrase-chosen', testid: 'phrase-chosen', dataset: { phraseId: chosen.phrase.id } },
          h('p', { class: 'phrase-chosen-text', attrs: { lang } }, phraseWithBlanks(chosen.phrase, lang)),
          params.length ? h('div', { class: 'phrase-params' }, params.map(paramField)) : null,
          h('div', { class: 'phrase-chosen-actions' },
            h('button', {
              type: 'button', class: 'btn btn-ghost btn-small', testid: 'phrase-back', i18n: 'chat.phraseBack',
              on: { click: () => { chosen = null; renderPicker(); } },
            }),
            h('button', {
              type: 'button', class: 'btn btn-primary btn-small', testid: 'phrase-send', i18n: 'chat.phraseSend',
              on: { click: sendChosen },
            }))));
      return;
    }
    replaceChildren(picker, head,
      h('p', { class: 'muted small', i18n: 'chat.phrasesHint' }),
      h('div', { class: 'phrase-groups' }, phraseGroups(lang).map((group) => h('section', {
        class: 'phrase-group', testid: 'phrase-group', dataset: { group: group.id },
      },
      h('h3', { class: 'phrase-group-title', text: group.label }),
      h('ul', { class: 'phrase-list' }, group.phrases.map((phrase) => h('li', {},
        h('button', {
          type: 'button', class: 'phrase-option', testid: 'phrase-option', dataset: { phraseId: phrase.id },
          attrs: { lang },
          on: { click: () => choose(phrase) },
        }, phraseWithBlanks(phrase, lang)))))))));
  }

  return { toggle: togglePicker, render: renderPicker };
}
