// views/import.js — the organizers' import page (#/import): choose what the file holds
// (halls, companies, staff, products, buyers), download its template, pick a CSV or XLSX
// file and check it: the server's dry run lists what would be created, updated or left alone
// and every finding row by row. Only a clean check can be confirmed; the import then writes
// everything at once and shows the invitation links it made (staff and buyers), each in the
// invitee's language. Findings with a code are worded here; older ones come as the server's
// sentence. The columns are in docs/import.md.

import { api, importFile } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { autonym } from '../i18n.js';
import { forbiddenPage } from './common.js';
import { deskTabs } from './desk-parts.js';
import { errorBox, setBusy, showError } from './forms.js';
import { linkBox } from './invitations.js';

const KINDS = ['buyers', 'staff', 'companies', 'products', 'halls'];
const KIND_KEYS = {
  buyers: 'importPage.kind.buyers', staff: 'importPage.kind.staff', companies: 'importPage.kind.companies',
  products: 'importPage.kind.products', halls: 'importPage.kind.halls',
};
/** Finding codes the server sends, and their texts here. */
const FINDINGS = {
  'import.required': 'importPage.finding.required',
  'import.too_long': 'importPage.finding.tooLong',
  'import.bad_email': 'importPage.finding.badEmail',
  'import.bad_country': 'importPage.finding.badCountry',
  'import.bad_timezone': 'importPage.finding.badTimezone',
  'import.bad_language': 'importPage.finding.badLanguage',
  'import.unknown_concept': 'importPage.finding.unknownConcept',
  'import.bad_hs_code': 'importPage.finding.badHsCode',
  'import.bad_flag': 'importPage.finding.badFlag',
  'import.not_buyer': 'importPage.finding.notBuyer',
  'import.more_errors': 'importPage.finding.more',
};

function findingCell(finding) {
  const key = FINDINGS[finding.code];
  if (key) return h('td', { testid: 'finding-message', dataset: { code: finding.code }, i18n: key, i18nArgs: finding.params || {} });
  // An older check: the server's own sentence, shown as it came.
  return h('td', { testid: 'finding-message', dataset: { code: '' }, text: finding.message, attrs: { lang: 'en' } });
}

export function mountImport(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'organizer') {
    forbiddenPage(root, 'dash.onlyOrganizers');
    return null;
  }
  let file = null;
  let checked = null; // the clean dry run of the chosen file and kind
  const error = errorBox('import-error');
  const kind = h('select', { testid: 'import-kind', id: 'import-kind' },
    KINDS.map((k) => h('option', { value: k, i18n: KIND_KEYS[k] })));
  const template = h('a', { class: 'btn btn-ghost btn-small', testid: 'import-template', i18n: 'importPage.template' });
  const fileInput = h('input', {
    type: 'file', id: 'import-file', testid: 'import-file',
    attrs: { accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  });
  const check = h('button', { type: 'button', class: 'btn btn-primary', testid: 'import-check', disabled: true, i18n: 'importPage.check' });
  const confirm = h('button', { type: 'button', class: 'btn btn-primary', testid: 'import-confirm', hidden: true, i18n: 'importPage.confirm' });
  const results = h('section', { class: 'import-results', testid: 'import-results', attrs: { 'aria-live': 'polite' } });

  function setTemplate() {
    template.href = api.importTemplateUrl(kind.value);
    template.setAttribute('download', `${kind.value}-template.csv`);
  }

  function reset() {
    checked = null;
    confirm.hidden = true;
    replaceChildren(results);
    showError(error, null);
  }

  kind.addEventListener('change', () => {
    setTemplate();
    reset();
  });
  fileInput.addEventListener('change', () => {
    file = fileInput.files?.[0] || null;
    check.disabled = !file;
    reset();
  });

  function countsLine(report, key) {
    return h('p', { class: 'import-counts', testid: 'import-counts', i18n: key,
      i18nArgs: { rows: report.rows, created: report.created, updated: report.updated, unchanged: report.unchanged, invitations: report.invitations } });
  }

  function findingsTable(report) {
    return h('div', { class: 'card table-wrap' },
      h('table', { class: 'data-table', testid: 'findings' },
        h('thead', {}, h('tr', {},
          h('th', { class: 'num', i18n: 'importPage.colRow' }), h('th', { i18n: 'importPage.colColumn' }),
          h('th', { i18n: 'importPage.colFinding' }))),
        h('tbody', {}, report.errors.map((f) => h('tr', { testid: 'finding', dataset: { row: String(f.row), column: f.column || '' } },
          h('td', { class: 'num', text: String(f.row) }),
          h('td', {}, f.column ? h('code', { text: f.column }) : ''),
          findingCell(f))))));
  }

  function linksTable(report) {
    if (!report.invitation_links?.length) return null;
    return h('div', { class: 'card table-wrap' },
      h('p', { class: 'muted small', i18n: report.mailed ? 'importPage.linksMailed' : 'importPage.linksNotMailed' }),
      h('table', { class: 'data-table', testid: 'import-links' },
        h('thead', {}, h('tr', {},
          h('th', { i18n: 'people.colName' }), h('th', { i18n: 'invites.language' }), h('th', { i18n: 'invites.linkLabel' }))),
        h('tbody', {}, report.invitation_links.map((link) => h('tr', { testid: 'import-link', dataset: { email: link.email, language: link.language || '' } },
          h('td', {}, h('strong', { text: link.name }), h('div', { class: 'muted small', text: link.email })),
          h('td', { text: link.language ? autonym(link.language) : '' }),
          h('td', {}, linkBox({ accept_path: link.accept_path, mailed: report.mailed }, link.email, 'import-link-box')))))));
  }

  async function run(dryRun) {
    const button = dryRun ? check : confirm;
    const [busy, idle] = dryRun ? ['importPage.checking', 'importPage.check'] : ['importPage.importing', 'importPage.confirm'];
    setBusy(button, true, busy, idle);
    showError(error, null);
    try {
      const { report } = await importFile(kind.value, file, dryRun);
      if (dryRun) {
        const clean = report.errors.length === 0;
        checked = clean ? { kind: kind.value, file } : null;
        confirm.hidden = !clean;
        results.dataset.state = clean ? 'clean' : 'findings';
        replaceChildren(results,
          h('h2', { i18n: clean ? 'importPage.cleanTitle' : 'importPage.findingsTitle', i18nArgs: { count: report.errors.length } }),
          countsLine(report, 'importPage.wouldDo'),
          clean ? h('p', { class: 'muted', i18n: 'importPage.cleanHint' }) : findingsTable(report));
      } else {
        checked = null;
        confirm.hidden = true;
        results.dataset.state = report.applied ? 'applied' : 'findings';
        replaceChildren(results,
          h('h2', { i18n: report.applied ? 'importPage.doneTitle' : 'importPage.findingsTitle', i18nArgs: { count: report.errors.length } }),
          countsLine(report, report.applied ? 'importPage.did' : 'importPage.wouldDo'),
          report.applied ? linksTable(report) : findingsTable(report));
      }
    } catch (err) {
      if (!ctx.handleAuthError(err)) showError(error, err);
    } finally {
      setBusy(button, false, busy, idle);
    }
  }

  check.addEventListener('click', () => file && run(true));
  confirm.addEventListener('click', () => checked && checked.file === file && checked.kind === kind.value && run(false));

  setTemplate();
  root.append(h('main', { class: 'page', testid: 'import-page' },
    deskTabs('#/import'),
    h('h1', { i18n: 'importPage.title' }),
    h('p', { class: 'muted', i18n: 'importPage.intro' }),
    h('div', { class: 'card import-form' },
      h('div', { class: 'filters' },
        h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'importPage.kindLabel' }), kind),
        template),
      h('label', { class: 'field' }, h('span', { class: 'field-label', i18n: 'importPage.fileLabel' }), fileInput,
        h('small', { class: 'field-hint', i18n: 'importPage.fileHint' })),
      error,
      h('div', { class: 'form-actions' }, check, confirm)),
    results));
  return () => {};
}
