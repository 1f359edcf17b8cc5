// views/console-media.js — the console's media card: the logo, PDF brochures, video files
// (uploaded as the raw request body, with progress) and video links; uploadFile and
// mediaTile also serve the product editor's photos. `page` is the console: {ctx, companyId,
// load(), current()}.

import { api } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { ERROR_CODES } from '../gen/protocol.js';
import { t } from '../i18n.js';
import { formatBytes, logo, mediaUrl } from './common.js';
import { baseName, busy, input, mediaIdOf, savedNote, UPLOAD_ERRORS } from './console-parts.js';
import { errorBox, field, showError } from './forms.js';

export function mediaSection({ ctx, companyId, load, current }) {
  const mediaError = errorBox('media-error');
  const logoSlot = h('div', { class: 'logo-slot', testid: 'logo-slot' });
  const logoFile = h('input', { type: 'file', testid: 'logo-file', accept: 'image/png,image/jpeg,image/webp,image/svg+xml' });
  const logoProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const logoError = errorBox('logo-error');
  logoFile.addEventListener('change', async () => {
    const file = logoFile.files?.[0];
    if (!file) return;
    showError(logoError, null);
    await uploadFile({ kind: 'logo', title: t('media.logo'), file, errorEl: logoError, progress: logoProgress, control: logoFile });
    logoFile.value = '';
  });

  const brochureList = h('ul', { class: 'console-list', testid: 'console-brochures' });
  const brochureTitle = input('brochure-title', { name: 'brochure_title', maxLength: 200 });
  const brochureFile = h('input', { type: 'file', testid: 'brochure-file', accept: 'application/pdf,.pdf' });
  const brochureUpload = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'brochure-upload', i18n: 'console.upload' });
  const brochureProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const brochureError = errorBox('brochure-error');
  const brochureSaved = savedNote('brochure-saved');
  brochureFile.addEventListener('change', () => {
    const file = brochureFile.files?.[0];
    if (file && !brochureTitle.value.trim()) brochureTitle.value = baseName(file.name);
  });
  const brochureForm = h('form', { class: 'upload-form', testid: 'brochure-form', noValidate: true },
    field('media.title', brochureTitle),
    field('media.pdfFile', brochureFile, { hintKey: 'media.pdfHint' }),
    h('div', { class: 'form-actions' }, brochureUpload, brochureSaved.el),
    brochureProgress,
    brochureError);
  brochureForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(brochureError, null);
    const file = brochureFile.files?.[0];
    if (!file) {
      showError(brochureError, { code: 'no_file' }, { no_file: 'upload.noFile' });
      return;
    }
    const title = brochureTitle.value.trim() || baseName(file.name);
    await busy(brochureUpload, async () => {
      const ok = await uploadFile({ kind: 'brochure', title, file, errorEl: brochureError, progress: brochureProgress, control: brochureFile });
      if (ok) {
        brochureTitle.value = '';
        brochureFile.value = '';
        brochureSaved.show('upload.done');
      }
    });
  });

  const videoList = h('ul', { class: 'console-list', testid: 'console-videos' });
  const videoTitle = input('video-title', { name: 'video_title', maxLength: 200 });
  const videoFile = h('input', { type: 'file', testid: 'video-file', accept: 'video/mp4,video/webm,video/quicktime' });
  const videoUpload = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: 'video-upload', i18n: 'console.upload' });
  const videoProgress = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true });
  const videoError = errorBox('video-error');
  videoFile.addEventListener('change', () => {
    const file = videoFile.files?.[0];
    if (file && !videoTitle.value.trim()) videoTitle.value = baseName(file.name);
  });
  const videoForm = h('form', { class: 'upload-form', testid: 'video-form', noValidate: true },
    field('media.title', videoTitle),
    field('media.videoFile', videoFile, { hintKey: 'media.videoHint' }),
    h('div', { class: 'form-actions' }, videoUpload),
    videoProgress,
    videoError);
  videoForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(videoError, null);
    const file = videoFile.files?.[0];
    if (!file) {
      showError(videoError, { code: 'no_file' }, { no_file: 'upload.noFile' });
      return;
    }
    const title = videoTitle.value.trim() || baseName(file.name);
    await busy(videoUpload, async () => {
      const ok = await uploadFile({ kind: 'video', title, file, errorEl: videoError, progress: videoProgress, control: videoFile });
      if (ok) {
        videoTitle.value = '';
        videoFile.value = '';
      }
    });
  });

  const linkTitle = input('video-link-title', { name: 'link_title', maxLength: 200 });
  const linkUrl = input('video-link-url', { name: 'link_url', type: 'url', maxLength: 500, placeholder: 'https://www.youtube.com/watch?v=…' });
  const linkAdd = h('button', { type: 'submit', class: 'btn btn-ghost btn-small', testid: 'video-link-add', i18n: 'media.addLink' });
  const linkError = errorBox('video-link-error');
  const linkForm = h('form', { class: 'upload-form', testid: 'video-link-form', noValidate: true },
    field('media.title', linkTitle),
    field('media.videoUrl', linkUrl),
    h('div', { class: 'form-actions' }, linkAdd),
    linkError);
  linkForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(linkError, null);
    const title = linkTitle.value.trim();
    const url = linkUrl.value.trim();
    if (!title || !/^https?:\/\//i.test(url)) {
      showError(linkError, { code: ERROR_CODES.VALIDATION, message: t('media.linkInvalid') });
      return;
    }
    await busy(linkAdd, async () => {
      try {
        await api.addVideoLink(companyId, title, url);
        linkTitle.value = '';
        linkUrl.value = '';
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(linkError, error);
      }
    });
  });

  /** Uploads one file; shows progress and errors; reloads on success. Returns success. */
  async function uploadFile({ kind, title, file, productId, errorEl, progress, control }) {
    progress.hidden = false;
    progress.value = 0;
    if (control) control.disabled = true;
    try {
      await api.uploadMedia(companyId, { kind, title, fileName: file.name, productId }, file, {
        onProgress: (fraction) => { progress.value = fraction; },
      });
      await load();
      return true;
    } catch (error) {
      if (ctx.handleAuthError(error)) return false;
      showError(errorEl, error, UPLOAD_ERRORS);
      return false;
    } finally {
      progress.hidden = true;
      if (control) control.disabled = false;
    }
  }

  async function deleteMedia(item, button) {
    if (!window.confirm(t('console.confirmDeleteMedia', { title: item.title || item.file_name || '' }))) return;
    showError(mediaError, null);
    await busy(button, async () => {
      try {
        await api.deleteMedia(item.id);
        await load();
      } catch (error) {
        if (ctx.handleAuthError(error)) return;
        showError(mediaError, error);
      }
    });
  }

  function mediaTile(item, kind) {
    const src = mediaUrl(item.url);
    return h('li', { class: 'thumb-tile', testid: 'media-item', dataset: { mediaId: String(item.id), kind } },
      src ? h('img', { src, alt: item.title || '' }) : null,
      h('button', { type: 'button', class: 'btn btn-danger btn-tiny', testid: 'media-delete', i18nAttr: { 'aria-label': 'console.delete', title: 'console.delete' }, text: '×', on: { click: (e) => deleteMedia(item, e.currentTarget) } }));
  }

  function mediaRow(item, kind) {
    const href = mediaUrl(item.url);
    const uploaded = Boolean(item.content_type || item.file_name);
    return h('li', { class: 'console-row', testid: 'media-item', dataset: { mediaId: String(item.id), kind } },
      h('span', { class: ['file-icon', kind === 'video' && 'is-video'], text: kind === 'video' ? '▶' : 'PDF', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'row-main' },
        href ? h('a', { class: 'row-title', href, target: '_blank', rel: 'noopener', testid: 'media-title', text: item.title || item.file_name || href })
          : h('strong', { class: 'row-title', text: item.title }),
        h('span', { class: 'muted small', text: [uploaded ? item.file_name : t('media.externalLink'), item.size_bytes ? formatBytes(item.size_bytes) : ''].filter(Boolean).join(' · ') })),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'media-delete', i18n: 'console.delete', on: { click: (e) => deleteMedia(item, e.currentTarget) } })));
  }

  function renderMedia() {
    const base = current();
    const c = base.company;
    const logoId = mediaIdOf(c.logo_url);
    replaceChildren(logoSlot,
      logo(c, 'large'),
      h('div', { class: 'logo-actions' },
        h('label', { class: 'btn btn-ghost btn-small file-btn' }, h('span', { i18n: c.logo_url ? 'media.replaceLogo' : 'media.uploadLogo' }), logoFile),
        logoId
          ? h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'logo-delete', i18n: 'console.delete',
            on: { click: (e) => deleteMedia({ id: logoId, title: t('media.logo') }, e.currentTarget) } })
          : null,
        h('small', { class: 'field-hint', i18n: 'media.logoHint' })));
    const brochures = base.brochures || [];
    replaceChildren(brochureList, brochures.length
      ? brochures.map((m) => mediaRow(m, 'brochure'))
      : h('li', { class: 'muted small', i18n: 'media.noBrochures' }));
    const videos = base.videos || [];
    replaceChildren(videoList, videos.length
      ? videos.map((m) => mediaRow(m, 'video'))
      : h('li', { class: 'muted small', i18n: 'media.noVideos' }));
  }

  const el = h('section', { class: 'card', testid: 'console-media' },
    h('h2', { i18n: 'console.media' }),
    mediaError,
    h('h3', { class: 'sub-title', i18n: 'media.logo' }),
    logoSlot, logoProgress, logoError,
    h('h3', { class: 'sub-title', i18n: 'booth.brochures' }),
    brochureList, brochureForm,
    h('h3', { class: 'sub-title', i18n: 'booth.videos' }),
    videoList,
    h('div', { class: 'two-forms' }, videoForm, linkForm));
  return { el, render: renderMedia, uploadFile, mediaTile };
}
