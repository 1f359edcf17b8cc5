// countries.js — reference lists for forms: ISO 3166-1 alpha-2 country codes (names come
// from Intl.DisplayNames or CLDR in the UI language: i18n.js countryName), the fair's featured
// buyer countries, the languages interpreters cover, the sourcing-interest tags (the halls'
// industries), and the IANA time zones (their cities' names: i18n.js zoneCity).

import { LANGUAGES } from './gen/protocol.js';

export const FEATURED_COUNTRIES = ['RU', 'CN', 'MN', 'JP', 'KZ', 'UZ', 'VN', 'US'];

export const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ ' +
  'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM ' +
  'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS ' +
  'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN ' +
  'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ ' +
  'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
  'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
  'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI ' +
  'VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

/** Languages a buyer can tick (BCP 47); the fair interprets between these. */
export const SPOKEN_LANGUAGES = ['ko', ...LANGUAGES.filter((tag) => tag !== 'ko')];

/** Sourcing interests, one per hall industry (labels in i18n.js as interest.<tag>). */
export const INTEREST_TAGS = [
  'food', 'cosmetics', 'medical-devices', 'auto-parts',
  'agriculture', 'ict', 'energy', 'consumer-goods',
];

/** Every IANA time zone the browser knows, with `current` included even if it does not. */
export function timeZones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = ['Asia/Seoul', 'Asia/Vladivostok', 'Asia/Shanghai', 'Asia/Ulaanbaatar', 'Asia/Tokyo',
      'Europe/Moscow', 'UTC'];
  }
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return zones;
}

const offsets = new Map();

/** A zone's offset from UTC now: { minutes: 540, label: 'GMT+9' } (label as Intl writes it). */
export function zoneOffset(zone) {
  if (!offsets.has(zone)) {
    let label = 'GMT';
    try {
      label = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })
        .formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value || 'GMT';
    } catch {
      // An unknown zone: shown as GMT.
    }
    const match = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(label);
    const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] || 0)) : 0;
    offsets.set(zone, { minutes, label });
  }
  return offsets.get(zone);
}

/** The browser's own time zone, e.g. Asia/Vladivostok. */
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
