// i18n-scan.mjs — reads the web client's sources for i18n-completeness.test.mjs: a small
// JavaScript lexer (strings, template literals, comments, regular expressions) and a scan for
// user-visible text that does not come from the locale files: words set into the page by
// text:, textContent, innerHTML, placeholder/title/alt/aria-label, h() children, append(),
// createTextNode() or notifications, template literals with words, and sentences in strings.
// Also lists every translation key the code names (t('x.y'), i18n: 'x.y', data-i18n="x.y").

/**
 * The string and template literals of a JavaScript source, with a copy of the source in
 * which comments and the text of literals are blanked (same length), for context scans.
 * A literal: { kind: 'string'|'template', text (static text; a template's ${} parts as
 * \u0000), start, end, line }.
 */
export function lex(src) {
  const literals = [];
  const masked = src.split('');
  const blank = (from, to) => {
    for (let i = from; i < to; i += 1) if (masked[i] !== '\n') masked[i] = ' ';
  };
  const lineAt = (pos) => src.slice(0, pos).split('\n').length;
  let i = 0;
  let lastSignificant = ''; // the last non-space character outside literals and comments
  const braces = []; // for each open { or ${: 'code' or 'template'

  function readString(quote) {
    const start = i;
    i += 1;
    let text = '';
    while (i < src.length && src[i] !== quote) {
      if (src[i] === '\\') {
        text += src[i + 1];
        i += 2;
      } else {
        text += src[i];
        i += 1;
      }
    }
    i += 1;
    literals.push({ kind: 'string', text, start, end: i, line: lineAt(start) });
    blank(start + 1, i - 1);
    lastSignificant = quote;
  }

  // Reads a template from its opening backtick (or from the } closing a ${}) to the next
  // ${ or closing backtick. Returns true when the template ended.
  function readTemplateChunk(literal) {
    const from = i;
    while (i < src.length) {
      if (src[i] === '\\') {
        literal.text += src[i + 1];
        i += 2;
      } else if (src[i] === '`') {
        blank(from, i);
        i += 1;
        literal.end = i;
        return true;
      } else if (src[i] === '$' && src[i + 1] === '{') {
        blank(from, i);
        literal.text += '\u0000';
        i += 2;
        return false;
      } else {
        literal.text += src[i];
        i += 1;
      }
    }
    return true;
  }

  const openTemplates = [];
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      blank(i, end < 0 ? src.length : end);
      i = end < 0 ? src.length : end;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2) + 2;
      blank(i, end);
      i = end;
    } else if (c === "'" || c === '"') {
      readString(c);
    } else if (c === '`') {
      const literal = { kind: 'template', text: '', start: i, end: i, line: lineAt(i) };
      literals.push(literal);
      i += 1;
      if (!readTemplateChunk(literal)) {
        openTemplates.push(literal);
        braces.push('template');
      }
      lastSignificant = '`';
    } else if (c === '/' && /[(,=:[!&|?{};+\-*%<>~^]|^$/.test(lastSignificant)) {
      // A regular expression literal: skip to its closing slash (classes may hold slashes).
      const start = i;
      i += 1;
      let inClass = false;
      while (i < src.length) {
        if (src[i] === '\\') i += 2;
        else if (src[i] === '[') { inClass = true; i += 1; } else if (src[i] === ']') { inClass = false; i += 1; } else if (src[i] === '/' && !inClass) { i += 1; break; } else i += 1;
      }
      while (/[a-z]/.test(src[i] || '')) i += 1;
      blank(start + 1, i);
      lastSignificant = '/x';
    } else if (c === '{') {
      braces.push('code');
      lastSignificant = c;
      i += 1;
    } else if (c === '}') {
      const kind = braces.pop();
      if (kind === 'template') {
        const literal = openTemplates.pop();
        i += 1;
        if (!readTemplateChunk(literal)) {
          openTemplates.push(literal);
          braces.push('template');
        }
        lastSignificant = '`';
      } else {
        lastSignificant = c;
        i += 1;
      }
    } else {
      if (!/\s/.test(c)) {
        // Keywords after which a slash starts a regular expression.
        if (/[A-Za-z0-9_$]/.test(c)) {
          let j = i;
          while (j < src.length && /[A-Za-z0-9_$]/.test(src[j])) j += 1;
          const word = src.slice(i, j);
          lastSignificant = /^(return|typeof|case|of|in|void|delete|throw|else|yield|await)$/.test(word) ? '(' : 'x';
          i = j;
          continue;
        }
        lastSignificant = c;
      }
      i += 1;
    }
  }
  return { literals, masked: masked.join('') };
}

/**
 * Where a literal sits: the nearest unclosed bracket before it in the masked source, the
 * name called there (for a round bracket), the argument's index, and the text just before.
 */
export function context(masked, literal) {
  let depth = 0;
  let commas = 0;
  let pos = literal.start - 1;
  const chain = []; // the brackets left on the way out: '[' '{' '('
  let call = null;
  let argIndex = 0;
  let objectPrefix = '';
  for (; pos >= 0; pos -= 1) {
    const c = masked[pos];
    if (c === ')' || c === ']' || c === '}') depth += 1;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth > 0) depth -= 1;
      else {
        chain.push(c);
        if (c === '{' && chain.length === 1) objectPrefix = masked.slice(Math.max(0, pos - 40), pos);
        if (c === '(') {
          const before = masked.slice(Math.max(0, pos - 80), pos);
          const name = /([A-Za-z_$][\w$]*)\s*$/.exec(before)?.[1] || '';
          const isNew = /new\s+[A-Za-z_$][\w$]*\s*$/.test(before);
          call = { name, isNew, prefix: before };
          argIndex = commas;
          break;
        }
        if (chain.length === 1) argIndex = commas;
        commas = 0;
      }
    } else if (c === ',' && depth === 0) commas += 1;
  }
  return {
    before: masked.slice(Math.max(0, literal.start - 60), literal.start),
    after: masked.slice(literal.end, literal.end + 20),
    objectPrefix,
    call,
    argIndex: chain.length === 1 ? argIndex : commas,
    inObject: chain[0] === '{',
    chain,
  };
}

const PROPERTY_SINK = /(?:\b(?:text|placeholder|title|alt|label|ariaLabel|textContent|innerText|innerHTML|body)|['"]aria-label['"])\s*:\s*$/;
const ASSIGN_SINK = /(?:\.(?:textContent|innerText|innerHTML|outerHTML|placeholder|title|alt|ariaLabel|label)|\bdocument\.title)\s*\+?=\s*$/;
const CHILD_CALLS = new Set(['append', 'prepend', 'replaceChildren', 'replaceWith', 'after', 'before', 'createTextNode', 'alert', 'confirm', 'prompt', 'insertAdjacentText', 'insertAdjacentHTML', 'Notification', 'showNotification', 'tr']);
const DEVELOPER_CALLS = /(?:\bconsole\.\w+|\bError|\bHubError|\bApiError|\bTypeError|\bRangeError|\bquerySelector(?:All)?|\bclosest|\bmatches|\bwaitForSelector|\baddEventListener|\bremoveEventListener|\bdispatchEvent|\bgetItem|\bsetItem|\bremoveItem|\bfetch|\brequest|\bsend|\bsetAttribute)\s*$/;
/** Text with letters (of any script) after placeholders, ${} parts and allowed words go. */
function hasWords(text, allowedWords) {
  let rest = text.replace(/\u0000/g, ' ').replace(/\{\w+\}/g, ' ');
  for (const word of allowedWords) rest = rest.split(word).join(' ');
  return /\p{L}{2,}/u.test(rest);
}

/** A sentence: a capitalised word followed by at least one more word ("Sign in", "Not found."). */
function isSentence(text) {
  return /^\s*\p{Lu}\p{Ll}+(?:[ ,]+[\p{L}'’-]+)+[.!?…:]?\s*$/u.test(text.replace(/\u0000/g, 'X'));
}

/**
 * User-visible literals in a JavaScript source: [{ line, text, why }]. allowedWords are
 * words that may appear in the page as they are (brand names, codes).
 */
export function visibleLiterals(src, allowedWords = []) {
  const { literals, masked } = lex(src);
  const found = [];
  for (const literal of literals) {
    const ctx = context(masked, literal);
    const before = ctx.before;
    const callName = ctx.call?.name || '';
    const developer = ctx.call && (DEVELOPER_CALLS.test(ctx.call.prefix) || /^(console|Error|HubError|ApiError)$/.test(callName));
    if (/\bthrow\s+(new\s+\w+\s*\(\s*)?$/.test(before)) continue;
    // An address (a URL field's example) reads the same in every language.
    if (/^https?:\/\/\S*$/.test(literal.text)) continue;
    // A value compared with, or a case label: data, not text.
    if (/(?:[=!]==?|\bcase)\s*$/.test(before) || /^\s*[=!]==?/.test(ctx.after)) continue;
    // i18nAttr: { title: 'key' } names keys (checked by keysUsed).
    if (ctx.inObject && /\bi18nAttr\s*:\s*$/.test(ctx.objectPrefix)) continue;
    let why = null;
    if (PROPERTY_SINK.test(before)) why = 'set as text or attribute';
    else if (ASSIGN_SINK.test(before)) why = 'assigned to text or attribute';
    else if (ctx.call && !ctx.inObject && ctx.chain.length === 1 && callName === 'h' && ctx.argIndex >= 2) why = 'h() child';
    else if (ctx.call && !ctx.inObject && ctx.chain.length === 1 && CHILD_CALLS.has(callName) && !(callName === 'tr' && ctx.argIndex === 0)) why = `${callName}() argument`;
    else if (ctx.call && callName === 'setAttribute' && ctx.argIndex === 1) {
      const name = /setAttribute\(\s*['"]([\w-]+)['"]\s*,\s*$/.exec(src.slice(Math.max(0, literal.start - 60), literal.start))?.[1];
      if (/^(title|placeholder|alt|aria-label|aria-description|aria-valuetext|label)$/.test(name || '')) why = `setAttribute('${name}')`;
    }
    if (why) {
      if (hasWords(literal.text, allowedWords)) found.push({ line: literal.line, text: literal.text, why });
      continue;
    }
    if (developer) continue;
    if (/\b(?:class|className|testid|type|name|role|autocomplete|inputmode|href|src|rel|id|key|kind|mode|dataset)\s*:\s*$/.test(before)) continue;
    if (literal.kind === 'template') {
      const staticText = literal.text.split('\u0000').join(' ');
      if (/^\s*[/#?]|https?:|[=&[\]]|\.(js|json|css|png|svg|csv|xlsx|ics)\b/.test(staticText)) continue;
      if (/\b\p{L}{2,}\s+\p{L}{2,}/u.test(staticText) && hasWords(staticText, allowedWords)) {
        found.push({ line: literal.line, text: literal.text, why: 'template literal with words' });
      }
      continue;
    }
    if (isSentence(literal.text) && hasWords(literal.text, allowedWords)) {
      found.push({ line: literal.line, text: literal.text, why: 'a sentence in a string' });
    }
  }
  return found;
}

/** Text and attributes with words in an HTML file outside <script>/<style>: [{ line, text, why }]. */
export function visibleHtml(src, allowedWords = []) {
  const found = [];
  const lineAt = (pos) => src.slice(0, pos).split('\n').length;
  const clean = src.replace(/<!--[\s\S]*?-->|<(script|style)\b[\s\S]*?<\/\1>/g, (m) => m.replace(/[^\n]/g, ' '));
  for (const m of clean.matchAll(/>([^<]+)</g)) {
    if (hasWords(m[1], allowedWords)) found.push({ line: lineAt(m.index), text: m[1].trim(), why: 'HTML text' });
  }
  for (const m of clean.matchAll(/\s(title|placeholder|alt|aria-label|label|content)="([^"]*)"/g)) {
    if (m[1] === 'content') continue; // <meta content=…>: not shown
    if (hasWords(m[2], allowedWords)) found.push({ line: lineAt(m.index), text: m[2], why: `${m[1]} attribute` });
  }
  return found;
}

/** Translation keys a JavaScript source names: plain ones and the prefixes of built ones. */
export function keysUsed(src, namespaces) {
  const { literals } = lex(src);
  const keys = [];
  const prefixes = [];
  for (const literal of literals) {
    const text = literal.text;
    if (literal.kind === 'template' && text.includes('\u0000')) {
      const head = text.split('\u0000')[0];
      if (/^[a-z][\w]*(\.[\w-]+)*\.$/.test(head) && namespaces.has(head.split('.')[0])) prefixes.push({ line: literal.line, prefix: head });
      continue;
    }
    if (!/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9_-]+)+$/.test(text)) continue;
    if (/\.(js|json|css|png|svg|mjs|html|csv|xlsx|ics|pdf)$/.test(text)) continue;
    if (!namespaces.has(text.split('.')[0])) continue;
    keys.push({ line: literal.line, key: text });
  }
  return { keys, prefixes };
}
