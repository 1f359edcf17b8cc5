// cldr-extract.mjs — writes the web client's vendored CLDR extracts (assets/vendor/cldr/) from
// the Unicode CLDR JSON packages on npm (cldr-*-full). Not part of any build: run it by hand when the
// CLDR version changes, and commit what it writes.
//
//   npm install --prefix /tmp/cldr cldr-dates-full@48.2.0 cldr-localenames-full@48.2.0 cldr-misc-full@48.2.0 cldr-bcp47@48.2.0
//   node scripts/cldr-extract.mjs /tmp/cldr/node_modules
//
// For each UI language it writes two files:
//   <lang>.zones.json  the exemplar city of every IANA time zone ("Asia/Seoul" → "Сеул"),
//                      under CLDR's zone id and each of its aliases (Asia/Calcutta and
//                      Asia/Kolkata), always loaded: Intl has no API for a zone's city;
//   <lang>.names.json  region and language names, month and weekday names, date, time and
//                      list patterns: loaded only by a browser whose Intl lacks the language
//                      (Chromium has no Mongolian data and answers in English).

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LANGS = ['en', 'ko', 'zh', 'ru', 'ja', 'mn'];
const modules = process.argv[2];
if (!modules) {
  console.error('usage: node scripts/cldr-extract.mjs <folder holding cldr-dates-full, cldr-localenames-full, cldr-misc-full, cldr-bcp47>');
  process.exit(2);
}
const out = new URL('../assets/vendor/cldr/', import.meta.url);
const read = (pkg, lang, file) => JSON.parse(readFileSync(join(modules, pkg, 'main', lang, file), 'utf8')).main[lang];
/** Each CLDR zone id → its other names (bcp47/timezone.json: "Asia/Calcutta Asia/Kolkata"). */
const aliases = new Map();
for (const entry of Object.values(JSON.parse(readFileSync(join(modules, 'cldr-bcp47', 'bcp47', 'timezone.json'), 'utf8')).keyword.u.tz)) {
  if (typeof entry?._alias !== 'string') continue;
  const [id, ...others] = entry._alias.split(' ');
  aliases.set(id, others);
}
const version = JSON.parse(readFileSync(join(modules, 'cldr-dates-full', 'package.json'), 'utf8')).version;

/** "Asia/Seoul" → exemplar city, from the nested zone tree. */
function zones(tree, prefix = '', found = {}) {
  for (const [name, value] of Object.entries(tree)) {
    if (!value || typeof value !== 'object') continue;
    const id = prefix ? `${prefix}/${name}` : name;
    if (typeof value.exemplarCity === 'string') {
      found[id] = value.exemplarCity;
      for (const other of aliases.get(id) || []) found[other] ??= value.exemplarCity;
    }
    else zones(value, id, found);
  }
  return found;
}

/** Entries without CLDR's -alt- variants, optionally only those whose key passes keep. */
function plain(table, keep = () => true) {
  return Object.fromEntries(Object.entries(table).filter(([k]) => !k.includes('-alt-') && keep(k)));
}

const SKELETONS = ['Ed', 'Hm', 'Hms', 'hm', 'hms', 'MEd', 'Md', 'MMMd', 'MMMEd', 'MMMMd', 'yMd', 'yMMMd', 'yMMMEd', 'yMMMM', 'yMMM'];

for (const lang of LANGS) {
  const tzn = read('cldr-dates-full', lang, 'timeZoneNames.json').dates.timeZoneNames;
  const zoneFile = { cldr: version, lang, zones: zones(tzn.zone) };
  writeFileSync(new URL(`${lang}.zones.json`, out), `${JSON.stringify(zoneFile)}\n`);

  const greg = read('cldr-dates-full', lang, 'ca-gregorian.json').dates.calendars.gregorian;
  const dtf = greg.dateTimeFormats;
  const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  const names = {
    cldr: version,
    lang,
    regions: plain(read('cldr-localenames-full', lang, 'territories.json').localeDisplayNames.territories, (k) => /^[A-Z]{2}$/.test(k)),
    languages: plain(read('cldr-localenames-full', lang, 'languages.json').localeDisplayNames.languages),
    calendar: {
      months: { format: pick(greg.months.format, ['abbreviated', 'wide']), standAlone: pick(greg.months['stand-alone'], ['abbreviated', 'wide']) },
      days: { format: pick(greg.days.format, ['abbreviated', 'short', 'wide']), standAlone: pick(greg.days['stand-alone'], ['abbreviated', 'short', 'wide']) },
      dayPeriods: pick(greg.dayPeriods.format.abbreviated, ['am', 'pm']),
      dateFormats: pick(greg.dateFormats, ['full', 'long', 'medium', 'short']),
      timeFormats: pick(greg.timeFormats, ['full', 'long', 'medium', 'short']),
      dateTimeFormats: Object.fromEntries(['full', 'long', 'medium', 'short'].map((k) => [k, typeof dtf[k] === 'string' ? dtf[k] : dtf[k]?.standard || '{1} {0}'])),
      availableFormats: pick(dtf.availableFormats, SKELETONS),
    },
    lists: read('cldr-misc-full', lang, 'listPatterns.json').listPatterns['listPattern-type-standard'],
  };
  writeFileSync(new URL(`${lang}.names.json`, out), `${JSON.stringify(names)}\n`);
  console.log(`${lang}: ${Object.keys(zoneFile.zones).length} zones, ${Object.keys(names.regions).length} regions, ${Object.keys(names.languages).length} languages`);
}
copyFileSync(join(modules, 'cldr-dates-full', 'LICENSE'), new URL('LICENSE', out));
