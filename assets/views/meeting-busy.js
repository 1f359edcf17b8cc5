// views/meeting-busy.js — #/meetings/busy: buyers and staff mark the slots they cannot take.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { onLangChange, t } from '../i18n.js';
import { forbiddenPage, pageError } from './common.js';
import { errorBox, showError } from './forms.js';
import { ACTION_ERRORS, myZone, slotGrid, zonesNote } from './meeting-parts.js';

export function mountBusy(root, ctx) {
  const me = ctx.session.user;
  if (me.role !== 'buyer' && me.role !== 'exhibitor') {
    forbiddenPage(root, 'meet.onlyBuyersStaff');
    return null;
  }
  const tz = myZone(me);
  let disposed = false;
  let all = [];
  let busy = new Set();
  const error = pageError('busy-error', () => load());
  const gridBox = h('div', {}, h('p', { class: 'muted', i18n: 'common.loading' }));
  const saved = h('span', { class: 'saved-note', testid: 'busy-saved', attrs: { role: 'status' }, hidden: true });
  const saveError = errorBox('busy-save-error');
  const save = h('button', { type: 'button', class: 'btn btn-primary', testid: 'busy-save', i18n: 'meet.save' });

  function render() {
    const g = slotGrid({
      viewerTz: tz, otherTz: null, testid: 'busy-grid',
      cell: (slot) => {
        const isBusy = busy.has(slot.id);
        return { state: isBusy ? 'busy' : 'free', pressed: isBusy, disabled: slot.starts_ms <= Date.now(),
          noteKey: isBusy ? 'meet.slotBusy' : 'meet.slotAvailable' };
      },
      onPick: (slot) => {
        if (busy.has(slot.id)) busy.delete(slot.id);
        else busy.add(slot.id);
        saved.hidden = true;
        render();
      },
    });
    g.render(all.filter((s) => s.ends_ms > Date.now()));
    replaceChildren(gridBox, g.el);
  }

  async function load() {
    error.hide();
    try {
      const [slotData, busyData] = await Promise.all([api.meetingSlots(), api.myBusy()]);
      if (disposed) return;
      all = slotData.slots || [];
      busy = new Set(busyData.slot_ids || []);
      render();
    } catch (e) {
      if (disposed || ctx.handleAuthError(e)) return;
      error.show(e);
    }
  }

  save.addEventListener('click', async () => {
    save.disabled = true;
    showError(saveError, null);
    try {
      const data = await api.setMyBusy([...busy]);
      if (disposed) return;
      if (data?.slot_ids) busy = new Set(data.slot_ids);
      render();
      saved.dataset.i18n = 'meet.saved';
      saved.textContent = t('meet.saved');
      saved.hidden = false;
    } catch (e) {
      if (!disposed && !ctx.handleAuthError(e)) showError(saveError, e, ACTION_ERRORS);
    } finally {
      save.disabled = false;
    }
  });

  root.append(h('main', { class: 'page busy-page', testid: 'busy' },
    h('div', { class: 'page-top' },
      h('div', {},
        h('a', { class: 'back-link', href: '#/meetings', i18n: 'meet.backToMeetings' }),
        h('h1', { i18n: 'meet.myBusy' }),
        h('p', { class: 'muted', i18n: 'meet.busyHint' }))),
    error.el,
    h('section', { class: 'card' }, zonesNote(tz, null), gridBox, saveError, h('div', { class: 'form-actions' }, save, saved))));
  const offLang = onLangChange(() => { if (all.length) render(); });
  load();
  return () => {
    disposed = true;
    offLang();
  };
}

