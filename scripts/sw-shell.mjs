// sw-shell.mjs — rewrites the SHELL list in assets/sw.js from the files of assets/ (every
// script, style, page, icon, manifest, locale and CLDR file; not sw.js itself, nor licence
// or read-me files), so a new module or style sheet is kept for the installed app. sw.js
// names its cache after a hash of that list, so a changed list replaces the old cache.
// phone.test.mjs fails when a file is missing from the list.
//
//   node scripts/sw-shell.mjs          rewrite the list
//   node scripts/sw-shell.mjs --check  exit 1 when the list is not what it would write

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const ASSETS = new URL('../assets/', import.meta.url);
const SW = new URL('sw.js', ASSETS);

const files = readdirSync(ASSETS, { recursive: true })
  .map((f) => f.split('\\').join('/'))
  .filter((f) => /\.(js|json|css|html|png|svg|webmanifest)$/.test(f) && f !== 'sw.js' && !/\.(LICENSE|md)$/.test(f))
  .filter((f) => !f.startsWith('locales/') || /^locales\/[a-z]{2}\.json$/.test(f))
  .filter((f) => !f.endsWith('.json') || f.startsWith('locales/') || f.startsWith('vendor/cldr/'))
  .map((f) => `/${f}`)
  .sort();
const list = ['/', ...files].map((f) => `  '${f}',`).join('\n');

const source = readFileSync(SW, 'utf8');
const pattern = /(const SHELL = \[\n)([\s\S]*?)(\n\];)/;
if (!pattern.test(source)) throw new Error('sw.js: no `const SHELL = [` list found');
const updated = source.replace(pattern, (_, open, _old, close) => `${open}${list}${close}`);

if (process.argv.includes('--check')) {
  if (updated !== source) {
    console.error('sw.js: SHELL is out of date; run node scripts/sw-shell.mjs');
    process.exit(1);
  }
  console.log(`sw.js: SHELL lists ${files.length + 1} entries`);
} else if (updated !== source) {
  writeFileSync(SW, updated);
  console.log(`sw.js: SHELL now lists ${files.length + 1} entries`);
} else {
  console.log('sw.js: SHELL unchanged');
}
