// phrases.js — the chat phrasebook, with no DOM: ready phrases of export consultations
// (catalogue, price list, MOQ, samples, lead time, certificates, payment and Incoterms,
// meetings) that every reader sees in their own language. The phrases come from the server
// (GET /api/v1/phrases, built from schema/data/phrases.json), every text in all six languages,
// so a language switch needs no new request. A message that names a phrase ({id, params}) is
// shown as the phrase in the reader's language; its `body` is what the sender saw.
//
//   await loadPhrasebook();
//   phraseText({ id: 'moq_is', params: { qty: '500' } }, 'ko')   // '저희 최소 주문 수량은 500개입니다.'

import { api } from './api.js';

let book = null;
let loading = null;

/** Loads the phrasebook once per page; resolves to it (a failed load is tried again later). */
export function loadPhrasebook() {
  if (book) return Promise.resolve(book);
  if (!loading) {
    loading = api.phrases().then((loaded) => {
      book = loaded;
      return book;
    }, (error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/** The phrasebook if it is loaded, else null. */
export function phrasebook() {
  return book;
}

/** A text of a six-language map in `lang` (English when that one is missing). */
export function inLang(texts, lang) {
  return texts?.[lang] ?? texts?.en ?? '';
}

/** The phrase with this id, or null (not loaded, or an id this server does not know). */
export function findPhrase(id) {
  return book?.phrases.find((p) => p.id === id) ?? null;
}

/** The `{name}`s of a text, in order of appearance. */
export function placeholders(text) {
  return [...new Set([...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]))];
}

/** The parameters a phrase takes: [{name, kind, label, choices}] with labels in `lang`. */
export function phraseParams(phrase, lang) {
  return placeholders(inLang(phrase.text, 'en')).map((name) => {
    const def = book?.params?.[name] || {};
    return { name, kind: def.kind || 'number', label: inLang(def.label, lang) || name, choices: def.choices || [] };
  });
}

/**
 * A message's phrase ({id, params}) in `lang`, parameters filled in; null when the phrasebook
 * is not loaded or does not know the id (show the message's body then).
 */
export function phraseText(ref, lang) {
  const phrase = ref && findPhrase(ref.id);
  if (!phrase) return null;
  let text = inLang(phrase.text, lang);
  for (const [name, value] of Object.entries(ref.params || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

/** The topics with their phrases, in the phrasebook's order: [{id, label, phrases}]. */
export function phraseGroups(lang) {
  if (!book) return [];
  return book.groups.map((group) => ({
    id: group.id,
    label: inLang(group.label, lang),
    phrases: book.phrases.filter((p) => p.group === group.id),
  })).filter((group) => group.phrases.length > 0);
}

/** Whether a parameter value is acceptable (the server checks the same). */
export function validParam(param, value) {
  if (param.kind === 'choice') return param.choices.includes(value);
  return /^[0-9]{1,9}$/.test(value);
}
