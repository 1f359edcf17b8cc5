// i18n-completeness.test.mjs — the web client's strings, checked without a browser or server:
// every key in all six locale files (assets/locales/*.json), no value left in English in the
// other five, the same {placeholders} everywhere, plural forms for each language's plural
// categories, a text for every error code the server or the client can raise, every key the
// code names exists, no user-visible words in the code outside the locale files, and the
// locale and CLDR files listed for the offline shell. See docs/i18n.md.
//
//   node tests/browser/i18n-completeness.test.mjs

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { keysUsed, visibleHtml, visibleLiterals } from './i18n-scan.mjs';

const ROOT = new URL('../../', import.meta.url);
const ASSETS = new URL('assets/', ROOT);
const read = (rel, base = ASSETS) => readFileSync(new URL(rel, base), 'utf8');
const LANGS = ['en', 'ko', 'zh', 'ru', 'ja', 'mn'];
const locales = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(read(`locales/${l}.json`))]));
const EN = locales.en;
const KEYS = Object.keys(EN);

// Values that may equal the English one: the product's name, the same in every language.
const SAME_AS_ENGLISH = new Set(['app.name']);

// Latin-script words that may stand in a Korean, Chinese, Russian, Japanese or Mongolian
// string: names of products, companies and file formats, codes and standards, key names.
// Anything else in Latin letters there is English left untranslated.
const LATIN_TOKENS = [
  'Expo Hub', // the product
  'JavaScript', 'Google', 'Outlook', 'Apple', 'YouTube', 'Vimeo', 'Excel', // products
  'CSV', 'UTF', 'XLSX', 'PDF', 'SVG', 'PNG', 'JPEG', 'WebP', 'MP4', 'WebM', 'ics', // file formats
  'https', 'QR', 'ID', 'HS', 'ICT', 'MOU', 'USD', 'FOB', 'HACCP', 'MOQ', // codes, terms of trade
  'EXPO-7K2QF9XH3A', 'RU', 'CN', 'MN', 'ms', // a badge code and country codes as examples, milliseconds
  'Enter', 'Shift', // keys on the keyboard
];

// Literals in the code that are shown as they are, in every language.
const SOURCE_ALLOWED = {
  'i18n.js': ['English', '한국어', '中文', 'Русский', '日本語', 'Монгол'], // the switch names each language in itself
  'views/booth.js': ['PDF'], // a file-type badge on a brochure
  'views/console.js': ['RU, CN, MN'], // the field takes ISO country codes: an example of them
  'index.html': ['Expo Hub'], // <title>: the product's name (the noscript text is checked below)
};

/** {name}s in a value (all plural forms together). */
function placeholders(value) {
  const texts = typeof value === 'string' ? [value] : Object.values(value);
  return new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));
}

/** Source files of the client: assets/*.js and assets/views/*.js (paths relative to assets/). */
function clientSources() {
  return [
    ...readdirSync(ASSETS).filter((f) => f.endsWith('.js')),
    ...readdirSync(new URL('views/', ASSETS)).filter((f) => f.endsWith('.js')).map((f) => `views/${f}`),
  ].sort();
}

test('every key of the English table exists in every language, and no other key', () => {
  for (const lang of LANGS) {
    const keys = new Set(Object.keys(locales[lang]));
    const missing = KEYS.filter((k) => !keys.has(k));
    const extra = [...keys].filter((k) => !(k in EN));
    assert.deepEqual(missing, [], `${lang} lacks ${missing.length} keys: ${missing.slice(0, 20).join(', ')}`);
    assert.deepEqual(extra, [], `${lang} has keys English does not: ${extra.join(', ')}`);
    for (const [key, value] of Object.entries(locales[lang])) {
      assert.ok(typeof value === 'string' ? value.trim() : value && typeof value === 'object', `${lang} ${key} is empty`);
    }
  }
});

test('no string is left in English in ko, zh, ru, ja, mn', () => {
  const leftovers = [];
  for (const lang of LANGS.filter((l) => l !== 'en')) {
    for (const key of KEYS) {
      const value = locales[lang][key];
      const text = (typeof value === 'string' ? [value] : Object.values(value)).join(' ');
      let rest = text.replace(/\{\w+\}/g, ' ');
      for (const token of LATIN_TOKENS) rest = rest.replace(new RegExp(`(?<![A-Za-z])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'g'), ' ');
      const same = JSON.stringify(value) === JSON.stringify(EN[key]) && /\p{L}/u.test(text.replace(/\{\w+\}/g, ''));
      if (same && !SAME_AS_ENGLISH.has(key)) leftovers.push(`${lang} ${key}: same as English "${text}"`);
      else if (/[A-Za-z]{2,}/.test(rest)) leftovers.push(`${lang} ${key}: Latin words "${rest.match(/[A-Za-z]{2,}/g).join(' ')}" in "${text}"`);
    }
  }
  assert.deepEqual(leftovers, [], `${leftovers.length} untranslated:\n${leftovers.join('\n')}`);
});

test('every language uses the same {placeholders} as English; {detail} (the server\'s English text) only in English', () => {
  const wrong = [];
  for (const key of KEYS) {
    const en = placeholders(EN[key]);
    for (const lang of LANGS.filter((l) => l !== 'en')) {
      const own = placeholders(locales[lang][key]);
      const expected = new Set([...en].filter((p) => p !== 'detail'));
      if (own.has('detail')) wrong.push(`${lang} ${key}: {detail} is the server's English message`);
      const a = [...own].filter((p) => p !== 'detail').sort().join(',');
      const b = [...expected].sort().join(',');
      if (a !== b) wrong.push(`${lang} ${key}: {${a}} where English has {${b}}`);
    }
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

// A count may need no plural forms in a language ("{count} хүн", "{count}件"): a plain string
// or { other } alone. Once a string has forms, it has one for each category of its language.
test('plural strings have a form for each plural category of their language', () => {
  const wrong = [];
  for (const lang of LANGS) {
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    for (const [key, value] of Object.entries(locales[lang])) {
      if (typeof value === 'string') continue;
      if (!('other' in value)) wrong.push(`${lang} ${key}: no "other" form`);
      if (Object.keys(value).length > 1) {
        for (const c of categories) if (!(c in value)) wrong.push(`${lang} ${key}: no "${c}" form`);
      }
      for (const c of Object.keys(value)) if (!categories.includes(c)) wrong.push(`${lang} ${key}: "${c}" is no plural category of ${lang}`);
    }
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

test('every error code the server or the client can raise has a text (error.<code>)', () => {
  // The server's codes: ErrorCode::as_str in schema/src/error.rs.
  const schema = read('schema/src/error.rs', ROOT);
  const serverCodes = [...schema.matchAll(/ErrorCode::\w+\s*=>\s*"([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(serverCodes.length >= 20, `read ${serverCodes.length} codes from error.rs`);
  // The client's own: ApiError and HubError codes in api.js and hub.js (network, timeout, …),
  // and the codes api.js gives a bare HTTP status.
  const clientCodes = new Set();
  for (const file of ['api.js', 'hub.js']) {
    const src = read(file);
    for (const m of src.matchAll(/new (?:Api|Hub)Error\(\s*(?:\d+\s*,\s*)?'([a-z_]+)'/g)) clientCodes.add(m[1]);
    for (const m of src.matchAll(/#failPending\('([a-z_]+)'/g)) clientCodes.add(m[1]);
    for (const m of src.matchAll(/\b\d{3}:\s*'([a-z_]+)'/g)) clientCodes.add(m[1]);
  }
  for (const code of ['network', 'internal', 'unknown']) clientCodes.add(code);
  const missing = [];
  for (const code of new Set([...serverCodes, ...clientCodes])) {
    if (!(`error.${code}` in EN)) missing.push(code);
  }
  assert.deepEqual(missing, [], `no error.<code> text for: ${missing.join(', ')}`);
});

test('every key the code names exists, and built keys have their keys', () => {
  const namespaces = new Set(KEYS.map((k) => k.split('.')[0]));
  const unknown = [];
  const prefixes = [];
  for (const file of clientSources()) {
    const used = keysUsed(read(file), namespaces);
    for (const { line, key } of used.keys) if (!(key in EN)) unknown.push(`${file}:${line} ${key}`);
    for (const p of used.prefixes) prefixes.push({ file, ...p });
  }
  const html = read('index.html');
  for (const m of html.matchAll(/data-i18n(?:-attr)?="([^"]+)"/g)) {
    for (const key of m[1].split(';').map((p) => p.split(':').pop())) if (!(key in EN)) unknown.push(`index.html ${key}`);
  }
  assert.deepEqual(unknown, [], `keys used but not in the locales:\n${unknown.join('\n')}`);
  for (const { file, line, prefix } of prefixes) {
    assert.ok(KEYS.some((k) => k.startsWith(prefix)), `${file}:${line} builds keys ${prefix}… but none exists`);
  }
  // The lists that built keys come from: interests and spoken languages (countries.js).
  const countries = read('countries.js');
  const tags = JSON.parse(countries.match(/INTEREST_TAGS = (\[[^\]]*\])/)[1].replace(/'/g, '"').replace(/,\s*\]/, ']'));
  for (const tag of tags) assert.ok(`interest.${tag}` in EN, `interest.${tag}`);
});

test('no user-visible words in the code outside the locale files', () => {
  const hits = [];
  for (const file of clientSources()) {
    const allowed = new Set(SOURCE_ALLOWED[file] || []);
    for (const hit of visibleLiterals(read(file))) {
      if (!allowed.has(hit.text)) hits.push(`${file}:${hit.line} ${hit.why}: ${JSON.stringify(hit.text.replace(/\u0000/g, '${…}'))}`);
    }
  }
  const html = read('index.html');
  const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(html);
  for (const hit of visibleHtml(html.replace(/<noscript>[\s\S]*?<\/noscript>/, ''))) {
    if (!SOURCE_ALLOWED['index.html'].includes(hit.text)) hits.push(`index.html:${hit.line} ${hit.why}: ${JSON.stringify(hit.text)}`);
  }
  assert.deepEqual(hits, [], `${hits.length} literals to move into the locales:\n${hits.join('\n')}`);
  // Without scripts there are no locale files: <noscript> says app.noscript in every language.
  assert.ok(noscript, 'index.html has a <noscript>');
  for (const lang of LANGS) assert.ok(noscript[1].includes(locales[lang]['app.noscript']), `<noscript> has the ${lang} app.noscript`);
});

test('the scanner finds words set into the page (it is not blind)', () => {
  const bad = [
    "el.textContent = 'Hello world';",
    'el.innerHTML = `<b>Welcome</b>`;',
    "h('p', {}, 'Sign in');",
    "h('p', null, ok ? 'Yes please' : null);",
    "h('input', { placeholder: 'Search…' });",
    "h('a', { title: `Open ${name}` });",
    "el.setAttribute('aria-label', 'Close');",
    "append(el, 'Loading');",
    "const message = 'Something went wrong.';",
    'note.textContent = `${count} items selected`;',
    'const line = `${count} items selected`;',
    "new Notification('New message', { body: 'You have mail' });",
  ];
  for (const snippet of bad) {
    assert.ok(visibleLiterals(snippet).length > 0, `not caught: ${snippet}`);
  }
  const fine = [
    "h('p', { class: 'muted small', testid: 'x', i18n: 'common.close' });",
    "el.textContent = t('common.close');",
    "if (user.role === 'exhibitor') go();",
    "throw new Error('the hub is not connected');",
    "console.warn('Something odd happened');",
    "h('button', { i18nAttr: { title: 'common.close' }, text: '×' });",
    "fetch(`/api/v1/companies/${id}/media`);",
  ];
  for (const snippet of fine) assert.deepEqual(visibleLiterals(snippet), [], `wrongly caught: ${snippet}`);
});

test('the locale and CLDR files exist for every language and are in the offline shell', () => {
  const sw = read('sw.js');
  const codes = JSON.parse(`[${read('countries.js').match(/COUNTRY_CODES = \(\s*([\s\S]*?)\)\.split/)[1]
    .split('+').map((s) => s.trim()).filter(Boolean).join('+').replace(/'/g, '"').split('+').join(',')}]`).join(' ').split(/\s+/);
  for (const lang of LANGS) {
    for (const file of [`locales/${lang}.json`, `vendor/cldr/${lang}.zones.json`, `vendor/cldr/${lang}.names.json`]) {
      assert.ok(sw.includes(`'/${file}'`), `sw.js keeps /${file}`);
    }
    const zones = JSON.parse(read(`vendor/cldr/${lang}.zones.json`)).zones;
    const names = JSON.parse(read(`vendor/cldr/${lang}.names.json`));
    if (lang !== 'en') {
      for (const zone of ['Asia/Seoul', 'Asia/Ulaanbaatar', 'Asia/Vladivostok', 'Asia/Shanghai', 'Asia/Tokyo', 'Europe/Moscow']) {
        assert.ok(zones[zone], `${lang}: a city name for ${zone}`);
      }
    }
    const noName = codes.filter((c) => !names.regions[c]);
    assert.deepEqual(noName, [], `${lang}: CLDR names every country of the registration form`);
    for (const tag of ['ko', 'en', 'ru', 'zh', 'mn', 'ja']) assert.ok(names.languages[tag], `${lang}: a name for ${tag}`);
  }
  assert.equal(JSON.parse(read('vendor/cldr/ru.zones.json')).zones['Asia/Seoul'], 'Сеул');
  assert.equal(JSON.parse(read('vendor/cldr/mn.names.json')).regions.KR, 'Өмнөд Солонгос');
});
