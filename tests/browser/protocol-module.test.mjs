// protocol-module.test.mjs — the web client's copy of the protocol, without a browser or a
// server. assets/gen/protocol.js is generated from the Rust definitions (schema/src/js.rs;
// `cargo test` checks that it is fresh); this test checks the other half: that the client
// uses it. It reads every script of assets/ (but the generated module and vendor/) and fails
// on a protocol name written by hand where the module has it — a command in hub.request(),
// an event kind, frame type, reply kind or error code in a string, a close code as a number,
// a room name or `kind:` prefix, a hand-copied list of the fair's languages — and on a
// reference to a name the module does not export, or an export used but not imported. It
// also checks parseRoom against the cases the Rust side is tested with.
//
//   node tests/browser/protocol-module.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as protocol from '../../assets/gen/protocol.js';

const ASSETS = new URL('../../assets/', import.meta.url);
const {
  CLOSE_CODES, COMMANDS, ERROR_CODES, EVENTS, FRAMES, LANGUAGES, REPLIES, ROOMS, ROOM_KINDS,
  parseRoom, roomName,
} = protocol;

/**
 * Hand-written protocol lists that stay for now, each with why. Every entry must still match
 * something: once the list is gone, its entry has to go too (the test says so).
 */
const ALLOWED = [
];

// ---------------------------------------------------------------- a small JavaScript lexer

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw',
  'instanceof', 'yield', 'await',
]);

/**
 * Tokens of a script: {type: 'string'|'template'|'number'|'name'|'punct', value, line}; a
 * template's value is its literal chunks, and the tokens of its `${…}` parts follow it.
 * Comments are dropped; regular expressions become {type: 'regex'}.
 */
function lex(src) {
  const tokens = [];
  let i = 0;
  let line = 1;
  const braces = []; // for each open `{` or `${`: true when it closes a template substitution
  const fail = (what) => { throw new Error(`${what} at line ${line}`); };
  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'name') return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
    if (prev.type === 'punct') return !/^[)\]}]$/.test(prev.value);
    return false;
  };
  const readTemplate = (startLine) => {
    // i is just past the backtick (or the `}` that ends a substitution).
    const chunks = [];
    let chunk = '';
    for (;;) {
      if (i >= src.length) fail(`unterminated template from line ${startLine}`);
      const c = src[i];
      if (c === '\\') { chunk += src.slice(i, i + 2); i += 2; continue; }
      if (c === '`') { i += 1; chunks.push(chunk); return { chunks, open: false }; }
      if (c === '$' && src[i + 1] === '{') { i += 2; chunks.push(chunk); return { chunks, open: true }; }
      if (c === '\n') line += 1;
      chunk += c;
      i += 1;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line += 1; i += 1; continue; }
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i += 1; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (c === '\'' || c === '"') {
      let value = '';
      let j = i + 1;
      while (src[j] !== c) {
        if (j >= src.length || src[j] === '\n') fail('unterminated string');
        if (src[j] === '\\') { value += src[j + 1]; j += 2; } else { value += src[j]; j += 1; }
      }
      tokens.push({ type: 'string', value, line });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      i += 1;
      const startLine = line;
      const { chunks, open } = readTemplate(startLine);
      tokens.push({ type: 'template', value: chunks, line: startLine });
      if (open) braces.push(true);
      continue;
    }
    if (c === '}' && braces.length && braces[braces.length - 1] === true) {
      braces.pop();
      i += 1;
      const startLine = line;
      const { chunks, open } = readTemplate(startLine);
      // The rest of a template: its chunks, after the substitution's tokens.
      tokens.push({ type: 'template-rest', value: chunks, line: startLine });
      if (open) braces.push(true);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1]))) {
      const m = /^(0[xob][0-9a-f_]+n?|[0-9][0-9_]*n|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:e[+-]?[0-9]+)?)/i.exec(src.slice(i));
      tokens.push({ type: 'number', value: m[0].replace(/_/g, ''), line });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$#]/.test(c)) {
      const m = /^[#A-Za-z_$][\w$]*/.exec(src.slice(i));
      tokens.push({ type: 'name', value: m[0], line });
      i += m[0].length;
      continue;
    }
    if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (inClass || src[j] !== '/') {
        if (j >= src.length || src[j] === '\n') fail('unterminated regular expression');
        if (src[j] === '\\') j += 1;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j += 1;
      }
      j += 1;
      while (/[a-z]/.test(src[j] || '')) j += 1;
      tokens.push({ type: 'regex', value: src.slice(i, j), line });
      i = j;
      continue;
    }
    const m = /^(\?\?=|\?\.|\.\.\.|===|!==|\*\*=|<<=|>>>?=?|&&=|\|\|=|=>|[=!<>+\-*/%&|^]=?|&&|\|\||\?\?|\+\+|--|<<|[{}()[\];,.:?~@])/.exec(src.slice(i));
    if (!m) fail(`unexpected ${JSON.stringify(c)}`);
    if (m[0] === '{') braces.push(false);
    if (m[0] === '}') braces.pop();
    tokens.push({ type: 'punct', value: m[0], line });
    i += m[0].length;
  }
  return tokens;
}

// ---------------------------------------------------------------- the rules

const invert = (obj, name) => new Map(Object.entries(obj).map(([key, value]) => [value, `${name}.${key}`]));
/** Wire names → the export that has them (a name in several is shown with the first). */
const NAMES = new Map();
for (const [obj, name] of [[COMMANDS, 'COMMANDS'], [EVENTS, 'EVENTS'], [FRAMES, 'FRAMES'], [REPLIES, 'REPLIES'], [ERROR_CODES, 'ERROR_CODES']]) {
  for (const [value, shown] of invert(obj, name)) if (!NAMES.has(value)) NAMES.set(value, shown);
}
const ERROR_KEYS = invert(ERROR_CODES, 'ERROR_CODES');
const CLOSE = invert(CLOSE_CODES, 'CLOSE_CODES');
const FIXED_ROOMS = invert(ROOMS, 'ROOMS');
const KIND_PREFIX = new RegExp(`^(${Object.values(ROOM_KINDS).join('|')}):`);
/** Listener names of the client's own emitters (hub.on('welcome'), chat.on('inbox') …). */
const LISTENER_CALLS = new Set(['on', '#emit', 'emit', 'off']);
/** chat_open targets (`booth:7`, `private:7:44`, `fair`) are a grammar of their own, not room names. */
const CHAT_TARGET_CALLS = new Set(['open']);

/** The name of the function a token is the first argument of (`x.on(` → 'on'), if any. */
function calleeOf(tokens, index) {
  const open = tokens[index - 1];
  const callee = tokens[index - 2];
  if (open?.type !== 'punct' || open.value !== '(' || callee?.type !== 'name') return null;
  return callee.value;
}

/** Whether a token stands where an object literal's key does: after `{` or `,`, before `:`. */
function isObjectKey(tokens, index) {
  const next = tokens[index + 1];
  const prev = tokens[index - 1];
  return next?.type === 'punct' && next.value === ':' && prev?.type === 'punct' && (prev.value === '{' || prev.value === ',');
}

/** What protocol strings are compared with or stored in: event.kind, frame.type, error.code … */
const PROTOCOL_FIELDS = new Set(['kind', 'type', 'code', 'reason']);

/** The last name of a chain like `frame.event?.kind` that starts at tokens[start]. */
function chainEnd(tokens, start) {
  let j = start;
  while (tokens[j]?.type === 'name' && (tokens[j + 1]?.value === '.' || tokens[j + 1]?.value === '?.')) j += 2;
  return tokens[j]?.type === 'name' ? tokens[j].value : null;
}

/** Whether a string is compared with a chain ending in one of `fields` (either side of === or !==). */
function comparedWith(tokens, index, fields) {
  const prev = tokens[index - 1]?.value;
  const next = tokens[index + 1]?.value;
  if ((prev === '===' || prev === '!==') && fields.has(tokens[index - 2]?.value)) return true;
  return (next === '===' || next === '!==') && fields.has(chainEnd(tokens, index + 2));
}

/**
 * Whether a string stands where only a protocol name would: a command sent, a `case`, a
 * comparison with a kind, type, code or reason, or the value of such a key ({ code: … }).
 * A snake_case protocol name is one anywhere; a single word (join, typing, dashboard,
 * forbidden …) only here, since the client also uses such words for its own purposes.
 */
function protocolPosition(tokens, index) {
  if (calleeOf(tokens, index) === 'request' || tokens[index - 1]?.value === 'case') return true;
  if (comparedWith(tokens, index, PROTOCOL_FIELDS)) return true;
  return tokens[index - 1]?.value === ':' && PROTOCOL_FIELDS.has(tokens[index - 2]?.value)
    && isObjectKey(tokens, index - 2);
}

/** Every hand-written protocol name in one script: [{line, rule, text}]. */
function findings(file, src) {
  const tokens = lex(src);
  const out = [];
  const add = (token, rule, text) => out.push({ file, line: token.line, rule, text });
  tokens.forEach((token, index) => {
    const callee = calleeOf(tokens, index);
    if (token.type === 'string') {
      const name = NAMES.get(token.value);
      if (isObjectKey(tokens, index)) {
        // A map keyed by error code ({ validation: 'upload.invalid' }) copies the codes.
        if (ERROR_KEYS.has(token.value)) add(token, 'protocol name', `key '${token.value}' is [${ERROR_KEYS.get(token.value)}]`);
      } else if (name && !LISTENER_CALLS.has(callee) && (token.value.includes('_') || protocolPosition(tokens, index))) {
        add(token, 'protocol name', `'${token.value}' is ${name}`);
      }
      const room = FIXED_ROOMS.get(token.value);
      if (room && (callee === 'subscribe' || callee === 'presence' || comparedWith(tokens, index, new Set(['room'])))) {
        add(token, 'room name', `'${token.value}' is ${room}`);
      }
    }
    if ((token.type === 'string' || token.type === 'template') && !CHAT_TARGET_CALLS.has(callee)) {
      const first = token.type === 'string' ? token.value : token.value[0];
      if (KIND_PREFIX.test(first)) add(token, 'room name', `${JSON.stringify(first)}: use roomName(ROOM_KINDS.…, id) or parseRoom`);
    }
    if (token.type === 'name' && isObjectKey(tokens, index) && ERROR_KEYS.has(token.value)) {
      add(token, 'protocol name', `key ${token.value} is [${ERROR_KEYS.get(token.value)}]`);
    }
    if (token.type === 'number' && CLOSE.has(Number(token.value))) {
      add(token, 'close code', `${token.value} is ${CLOSE.get(Number(token.value))}`);
    }
    if (token.type === 'punct' && token.value === '[') {
      // An array literal of language tags: ['ko', 'en', …].
      const items = [];
      let j = index + 1;
      while (tokens[j]?.type === 'string' && LANGUAGES.includes(tokens[j].value)) {
        items.push(tokens[j].value);
        j += 1;
        if (tokens[j]?.value === ',') j += 1;
      }
      if (items.length >= 2 && tokens[j]?.value === ']') {
        add(token, 'language list', `[${items.join(', ')}] is LANGUAGES`);
      }
    }
  });
  return out;
}

/**
 * What a script takes from the generated module: imported (local name → export name) and
 * used (local name → the properties read from it, like CHAT_SEND of COMMANDS.CHAT_SEND).
 */
function moduleUse(src) {
  const imported = new Map();
  const elsewhere = new Set(); // names imported from other modules or declared here
  for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']*)'/g)) {
    for (const spec of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      const [exported, local = exported] = spec.split(/\s+as\s+/);
      if (/(^|\/)gen\/protocol\.js$/.test(m[2])) imported.set(local, exported);
      else elsewhere.add(local);
    }
  }
  for (const m of src.matchAll(/\b(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/g)) elsewhere.add(m[1]);
  const code = lex(src);
  const used = new Map();
  code.forEach((token, index) => {
    if (token.type !== 'name' || code[index - 1]?.value === '.') return; // not someone's property
    const ours = imported.has(token.value) || (token.value in protocol && !elsewhere.has(token.value));
    if (!ours) return;
    if (!used.has(token.value)) used.set(token.value, []);
    if (code[index + 1]?.value === '.' && code[index + 2]?.type === 'name') used.get(token.value).push(code[index + 2].value);
  });
  return { imported, used };
}

function scripts() {
  return readdirSync(ASSETS, { recursive: true })
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.js') && !f.startsWith('gen/') && !f.startsWith('vendor/'))
    .sort();
}

// ---------------------------------------------------------------- the tests

test('the module is frozen, complete and consistent', () => {
  for (const name of ['FRAMES', 'COMMANDS', 'REPLIES', 'EVENTS', 'ERROR_CODES', 'CLOSE_CODES', 'LIMITS', 'LANGUAGES', 'ROOMS', 'ROOM_KINDS']) {
    assert.ok(Object.isFrozen(protocol[name]), `${name} is frozen`);
    assert.ok(Object.keys(protocol[name]).length > 0, `${name} is not empty`);
  }
  assert.equal(COMMANDS.SUBSCRIBE, 'subscribe');
  assert.equal(EVENTS.PRESENCE_DIFF, 'presence_diff');
  assert.equal(CLOSE_CODES.UNAUTHORIZED, 4001);
  assert.equal(LANGUAGES[0], protocol.BASE_LANGUAGE);
  for (const [key, value] of Object.entries({ ...COMMANDS, ...EVENTS, ...ERROR_CODES, ...FRAMES, ...REPLIES })) {
    assert.equal(key, value.toUpperCase(), `${key} names ${value}`);
  }
  const header = readFileSync(new URL('gen/protocol.js', ASSETS), 'utf8').split('\n')[0];
  assert.match(header, /GENERATED by expo-schema/);
});

test('parseRoom agrees with the Rust rule on the shared cases', () => {
  const { cases } = JSON.parse(readFileSync(new URL('../../schema/data/room-names.json', import.meta.url), 'utf8'));
  assert.ok(cases.length > 20);
  for (const { room, parsed } of cases) {
    const got = parseRoom(room);
    const shown = got && ('name' in got ? { name: got.name } : { kind: got.kind, id: String(got.id) });
    assert.deepEqual(shown, parsed, `parseRoom(${JSON.stringify(room)})`);
  }
  assert.equal(parseRoom(`booth:${'1'.repeat(200)}`), null);
  assert.equal(parseRoom(undefined), null);
  assert.deepEqual(parseRoom('chat:12'), { kind: 'chat', id: 12 });
  assert.equal(roomName(ROOM_KINDS.BOOTH, 7), 'booth:7');
  assert.throws(() => roomName('private', 7), TypeError);
});

test('the lexer and the rules catch what they are meant to', () => {
  const found = findings('sample.js', [
    "// hub.request('subscribe') in a comment is fine, and so is 4001",
    "hub.request('chat_send', { body: 'hello' });",
    "if (event.kind === 'talk_taken') x = /'join'/.test(s) ? a / 2 : 4001;",
    "const room = `user:${me.id}`; hub.subscribe('lobby'); chat.open(`booth:${id}`);",
    "const langs = ['ko', 'en']; const MAP = { validation: 'x', 'not_found': 'y' };",
    "hub.on('welcome', f); const label = `${n} rooms`; el.dataset.kind = 'lobby';",
    "switch (e.kind) { case 'join': break; } if ('leave' === frame.event?.kind) end('token_expired');",
    "this.changed('typing'); h('div', { testid: 'dashboard', class: 'welcome' }); if (info.kind === 'fair') f();",
    "showError(el, { code: 'validation' }); if (frame.room === 'fair' || what === 'typing') g();",
  ].join('\n'));
  const shown = found.map((f) => `${f.line}:${f.rule}:${f.text}`);
  assert.deepEqual(shown, [
    "2:protocol name:'chat_send' is COMMANDS.CHAT_SEND",
    "3:protocol name:'talk_taken' is EVENTS.TALK_TAKEN",
    '3:close code:4001 is CLOSE_CODES.UNAUTHORIZED',
    '4:room name:"user:": use roomName(ROOM_KINDS.…, id) or parseRoom',
    "4:room name:'lobby' is ROOMS.LOBBY",
    '5:language list:[ko, en] is LANGUAGES',
    '5:protocol name:key validation is [ERROR_CODES.VALIDATION]',
    "5:protocol name:key 'not_found' is [ERROR_CODES.NOT_FOUND]",
    "7:protocol name:'join' is EVENTS.JOIN",
    "7:protocol name:'leave' is EVENTS.LEAVE",
    "7:protocol name:'token_expired' is ERROR_CODES.TOKEN_EXPIRED",
    "9:protocol name:'validation' is ERROR_CODES.VALIDATION",
    "9:room name:'fair' is ROOMS.FAIR",
  ]);
});

test('no script of the client writes a protocol name by hand', () => {
  const all = [];
  for (const file of scripts()) {
    all.push(...findings(file, readFileSync(new URL(file, ASSETS), 'utf8')));
  }
  const unexplained = all.filter((f) => !ALLOWED.some((a) => a.file === f.file && a.rule === f.rule));
  assert.deepEqual(
    unexplained.map((f) => `assets/${f.file}:${f.line}: ${f.text}`), [],
    'import these from assets/gen/protocol.js instead',
  );
  for (const allowed of ALLOWED) {
    assert.ok(all.some((f) => f.file === allowed.file && f.rule === allowed.rule),
      `ALLOWED lists a ${allowed.rule} in ${allowed.file} that is gone: remove the entry`);
  }
});

test('every use of the module names an export, and every export used is imported', () => {
  let users = 0;
  for (const file of scripts()) {
    const src = readFileSync(new URL(file, ASSETS), 'utf8');
    const { imported, used } = moduleUse(src);
    for (const [local, exported] of imported) {
      assert.ok(exported in protocol, `${file} imports ${exported}, which gen/protocol.js does not export`);
      assert.ok(used.has(local), `${file} imports ${local} from gen/protocol.js but does not use it`);
    }
    for (const [local, properties] of used) {
      assert.ok(imported.has(local), `${file} uses ${local} without importing it from gen/protocol.js`);
      const value = protocol[imported.get(local)];
      if (Array.isArray(value) || typeof value !== 'object') continue;
      for (const property of properties) {
        assert.ok(property in value, `${file}: ${local}.${property} does not exist`);
      }
    }
    if (imported.size) users += 1;
  }
  assert.ok(users >= 10, `the client's scripts import gen/protocol.js (${users} do)`);
});
