// api.js — the REST client: JSON fetches to /api/v1 with the session token (kept in
// sessionStorage and sent as a Bearer header; the HttpOnly cookie works alongside), and
// errors turned into ApiError {status, code, message}. Error codes are the server's
// (gen/protocol.js); 'network', 'upload_failed', 'aborted' and 'unknown' are the client's own.

import { ERROR_CODES } from './gen/protocol.js';

const TOKEN_KEY = 'expo.token';

export class ApiError extends Error {
  constructor(status, code, message, nextSlots = [], application = null) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** `slot_taken`: the next free slots the server suggests. */
    this.nextSlots = nextSlots;
    /** `account_pending` / `account_rejected` at sign-in: {registered_ms, rejected_ms, reason}. */
    this.application = application;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // The cookie still carries the session.
  }
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing stored.
  }
}

/** Sends one request; resolves with the parsed JSON body (or null for 204). */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, 'network', error?.message || 'network error');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    if (data && typeof data.code === 'string') {
      // The body rides along: a refused hand move ({code, message, conflicts}) lists why.
      throw Object.assign(
        new ApiError(response.status, data.code, data.message, data.next_slots || [], data.application || null),
        { body: data },
      );
    }
    // Some rejections (a body the server could not parse) come as plain text.
    const code = {
      400: ERROR_CODES.BAD_REQUEST, 401: ERROR_CODES.UNAUTHORIZED, 403: ERROR_CODES.FORBIDDEN,
      404: ERROR_CODES.NOT_FOUND, 409: ERROR_CODES.CONFLICT, 413: ERROR_CODES.MESSAGE_TOO_LARGE,
      415: ERROR_CODES.BAD_REQUEST, 422: ERROR_CODES.VALIDATION, 429: ERROR_CODES.RATE_LIMITED,
    }[response.status] || (response.status >= 500 ? ERROR_CODES.INTERNAL : 'unknown');
    // Any other body is kept as error.body too.
    throw Object.assign(new ApiError(response.status, code, text.slice(0, 300)), { body: data });
  }
  return data;
}

/**
 * Fetches a signed-in resource that is not JSON (an image) as a Blob, with the same
 * credentials as request(); errors as ApiError.
 */
export async function requestBlob(path) {
  const headers = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, 'network', error?.message || 'network error');
  }
  if (!response.ok) {
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    const code = typeof data?.code === 'string' ? data.code
      : { 401: ERROR_CODES.UNAUTHORIZED, 403: ERROR_CODES.FORBIDDEN, 404: ERROR_CODES.NOT_FOUND }[response.status]
      || (response.status >= 500 ? ERROR_CODES.INTERNAL : 'unknown');
    throw new ApiError(response.status, code, data?.message || '');
  }
  return response.blob();
}

/** A query string from an object: empty, null and false values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const id = encodeURIComponent;

/**
 * Uploads a file as the raw request body (the server reads the bytes and checks their
 * type). Uses XMLHttpRequest for upload progress: onProgress(fraction) as bytes go out.
 * Resolves with the parsed JSON answer; rejects with an ApiError.
 */
export function upload(path, file, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    const token = getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    if (onProgress) {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total) onProgress(event.loaded / event.total);
      };
    }
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data);
      } else if (data && typeof data.code === 'string') {
        reject(new ApiError(xhr.status, data.code, data.message));
      } else {
        const code = xhr.status === 413 ? ERROR_CODES.MESSAGE_TOO_LARGE
          : { 400: ERROR_CODES.BAD_REQUEST, 401: ERROR_CODES.UNAUTHORIZED, 403: ERROR_CODES.FORBIDDEN, 404: ERROR_CODES.NOT_FOUND,
            415: ERROR_CODES.VALIDATION, 422: ERROR_CODES.VALIDATION }[xhr.status]
          || (xhr.status >= 500 ? ERROR_CODES.INTERNAL : 'unknown');
        reject(new ApiError(xhr.status, code, String(xhr.responseText || '').slice(0, 300)));
      }
    };
    // A server that refuses a too-large body may cut the connection before answering.
    xhr.onerror = () => reject(new ApiError(0, 'upload_failed', 'the upload was interrupted'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'the upload was cancelled'));
    if (signal) signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/**
 * Sends an import file (CSV or XLSX) as the raw body. Resolves with {status, report}: a
 * report comes back both for a clean file (200) and for one with bad rows (422); anything
 * else rejects with an ApiError.
 */
export async function importFile(kind, file, dryRun) {
  const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api/v1/import/${encodeURIComponent(kind)}${query({ dry_run: dryRun ? 'true' : 'false' })}`, {
      method: 'POST', headers, body: file, credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, 'upload_failed', error?.message || 'network error');
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if ((response.ok || response.status === 422) && data && Array.isArray(data.errors)) return { status: response.status, report: data };
  const code = typeof data?.code === 'string' ? data.code
    : response.status === 413 ? ERROR_CODES.MESSAGE_TOO_LARGE
      : (response.status >= 500 ? ERROR_CODES.INTERNAL : 'unknown');
  throw new ApiError(response.status, code, data?.message || '');
}

/** Every REST call the client makes. */
export const api = {
  login: (email, password) => request('POST', '/api/v1/auth/login', { email, password }),
  logout: () => request('POST', '/api/v1/auth/logout'),
  me: () => request('GET', '/api/v1/auth/me'),
  register: (form) => request('POST', '/api/v1/auth/register', form),
  acceptInvitation: (token, password) =>
    request('POST', '/api/v1/invitations/accept', { token, password }),
  fair: () => request('GET', '/api/v1/fair'),
  halls: () => request('GET', '/api/v1/halls'),
  companies: (hallId) =>
    request('GET', hallId === undefined ? '/api/v1/companies' : `/api/v1/companies?hall_id=${id(hallId)}`),
  company: (companyId, lang) => request('GET', `/api/v1/companies/${id(companyId)}${query({ lang })}`),

  // The lobby: search with filters, and a buyer's recommendations.
  booths: (filters) => request('GET', `/api/v1/booths${query(filters)}`),
  recommendations: (lang) => request('GET', `/api/v1/recommendations${query({ lang })}`),

  // The booth editor (organizers and the company's own staff).
  updateCompany: (companyId, input) => request('PUT', `/api/v1/companies/${id(companyId)}`, input),
  createProduct: (companyId, input) => request('POST', `/api/v1/companies/${id(companyId)}/products`, input),
  updateProduct: (productId, input) => request('PUT', `/api/v1/products/${id(productId)}`, input),
  deleteProduct: (productId) => request('DELETE', `/api/v1/products/${id(productId)}`),
  uploadMedia: (companyId, { kind, title, fileName, productId }, file, options) =>
    upload(`/api/v1/companies/${id(companyId)}/media${query({
      kind, title, file_name: fileName, product_id: productId,
    })}`, file, options),
  addVideoLink: (companyId, title, url) =>
    request('POST', `/api/v1/companies/${id(companyId)}/videos`, { title, url }),
  deleteMedia: (mediaId) => request('DELETE', `/api/v1/media/${id(mediaId)}`),

  // Leads.
  leads: (companyId) => request('GET', `/api/v1/companies/${id(companyId)}/leads`),
  leadsCsvUrl: (companyId) => `/api/v1/companies/${id(companyId)}/leads.csv`,
  /** input: {notes, rating, tags, followup}: the company's own record of one lead. */
  annotateLead: (companyId, userId, input) => request('PUT', `/api/v1/companies/${id(companyId)}/leads/${id(userId)}`, input),

  // Chat: the inbox, the staff's talk-request follow-up, moderation and blocks.
  chatRooms: () => request('GET', '/api/v1/chat/rooms'),
  /** The chat phrasebook: {params, groups, phrases}, every text in all six languages. */
  phrases: () => request('GET', '/api/v1/phrases'),
  talkRequests: (companyId, state) =>
    request('GET', `/api/v1/companies/${id(companyId)}/talk-requests${query({ state })}`),
  /** Organizers: kind 'mute' | 'ban'; roomId null = fair-wide; minutes optional. */
  chatSanction: ({ userId, roomId = null, kind, minutes }) =>
    request('POST', '/api/v1/chat/mutes', {
      user_id: userId, room_id: roomId, kind, ...(minutes ? { minutes } : {}),
    }),
  blockUser: (userId) => request('POST', '/api/v1/chat/blocks', { user_id: userId }),
  unblockUser: (userId) => request('DELETE', `/api/v1/chat/blocks/${id(userId)}`),

  // Meetings (docs/meetings.md): slots, availability, busy slots, requests and answers.
  meetingSlots: (day) => request('GET', `/api/v1/meetings/slots${query({ day })}`),
  availability: (companyId) => request('GET', `/api/v1/companies/${id(companyId)}/availability`),
  setAvailability: (companyId, slotIds, seats) =>
    request('PUT', `/api/v1/companies/${id(companyId)}/availability`, { slot_ids: slotIds, seats }),
  myBusy: () => request('GET', '/api/v1/me/busy'),
  setMyBusy: (slotIds) => request('PUT', '/api/v1/me/busy', { slot_ids: slotIds }),
  meetings: () => request('GET', '/api/v1/meetings'),
  meeting: (meetingId) => request('GET', `/api/v1/meetings/${id(meetingId)}`),
  /** input: {company_id, slot_id, mode, message, product_ids, interpreter_languages} */
  requestMeeting: (input) => request('POST', '/api/v1/meetings', input),
  acceptMeeting: (meetingId, staffId) =>
    request('POST', `/api/v1/meetings/${id(meetingId)}/accept`, staffId ? { staff_id: staffId } : {}),
  declineMeeting: (meetingId, reason) => request('POST', `/api/v1/meetings/${id(meetingId)}/decline`, { reason }),
  proposeSlot: (meetingId, slotId) => request('POST', `/api/v1/meetings/${id(meetingId)}/propose`, { slot_id: slotId }),
  rescheduleMeeting: (meetingId, slotId) =>
    request('POST', `/api/v1/meetings/${id(meetingId)}/reschedule`, { slot_id: slotId }),
  cancelMeeting: (meetingId, reason) => request('POST', `/api/v1/meetings/${id(meetingId)}/cancel`, { reason }),
  reportMeeting: (meetingId, held) => request('POST', `/api/v1/meetings/${id(meetingId)}/report`, { held }),
  /** outcome: {consult_usd, contract_usd, mou_signed, samples_requested, notes, rating} */
  meetingOutcome: (meetingId, outcome) => request('PUT', `/api/v1/meetings/${id(meetingId)}/outcome`, outcome),
  meetingIcsUrl: (meetingId) => `/api/v1/meetings/${id(meetingId)}/ics`,
  interpreterSuggestions: (meetingId) => request('GET', `/api/v1/meetings/${id(meetingId)}/interpreters`),
  assignInterpreter: (meetingId, interpreterId) =>
    request('POST', `/api/v1/meetings/${id(meetingId)}/interpreter`, { interpreter_id: interpreterId }),
  unassignInterpreter: (meetingId) => request('DELETE', `/api/v1/meetings/${id(meetingId)}/interpreter`),
  calendarFeed: () => request('GET', '/api/v1/me/calendar'),
  newCalendarFeed: () => request('POST', '/api/v1/me/calendar'),

  // Organizer monitoring: the live dashboard (room `dashboard` for updates), reports for a
  // range (range: {from, to} as YYYY-MM-DD fair days or UTC ms; empty = the whole fair) with
  // CSV and XLSX downloads (plain links: the session cookie authenticates them), a company's
  // own figures, badges and onsite check-ins.
  dashboard: () => request('GET', '/api/v1/dashboard'),
  reports: (range) => request('GET', `/api/v1/reports${query(range)}`),
  reportCsvUrl: (section, range) => `/api/v1/reports/${id(section)}.csv${query(range)}`,
  reportXlsxUrl: (range) => `/api/v1/reports.xlsx${query(range)}`,
  companyStats: (companyId, range) => request('GET', `/api/v1/companies/${id(companyId)}/stats${query(range)}`),
  myBadge: () => request('GET', '/api/v1/me/badge'),
  myBadgeSvg: () => requestBlob('/api/v1/me/badge.svg'),
  /** Organizers: companyId null = the entrance; staff: their own booth (the default). */
  // The people desk (organizers): registrations, accounts, invitations, imports.
  users: (filters) => request('GET', `/api/v1/users${query(filters)}`),
  approveUser: (userId) => request('POST', `/api/v1/users/${id(userId)}/approve`, {}),
  approveUsers: (ids) => request('POST', '/api/v1/users/approve', { ids }),
  rejectUser: (userId, reason) => request('POST', `/api/v1/users/${id(userId)}/reject`, { reason }),
  disableUser: (userId) => request('POST', `/api/v1/users/${id(userId)}/disable`, {}),
  invitations: () => request('GET', '/api/v1/invitations'),
  /** input: {email, name, role, company_id, languages} */
  invite: (input) => request('POST', '/api/v1/invitations', input),
  resendInvitation: (invitationId) => request('POST', `/api/v1/invitations/${id(invitationId)}/resend`),
  revokeInvitation: (invitationId) => request('POST', `/api/v1/invitations/${id(invitationId)}/revoke`),
  importTemplateUrl: (kind) => `/api/v1/import/${id(kind)}/template.csv`,
  taxonomy: (lang) => request('GET', `/api/v1/taxonomy${query({ lang })}`),
  checkIn: (badgeCode, companyId) =>
    request('POST', '/api/v1/checkins', { badge_code: badgeCode, ...(companyId ? { company_id: companyId } : {}) }),

  // Matchmaking (docs/scheduler.md): marks both ways, the buyer directory, suggestions,
  // accepted pairs, scheduler runs, hand moves (409: error.body.conflicts) and publishing.
  taxonomy: (lang) => request('GET', `/api/v1/taxonomy${query({ lang })}`),
  matchMarks: () => request('GET', '/api/v1/match/marks'),
  /** input: {company_id} (a buyer) or {buyer_id} (an exhibitor), level: must_meet | would_meet | no_thanks | null */
  setMatchMark: (input) => request('PUT', '/api/v1/match/marks', input),
  matchBuyers: () => request('GET', '/api/v1/match/buyers'),
  matchSuggestions: (buyerId, lang) => request('GET', `/api/v1/match/suggestions${query({ buyer_id: buyerId, lang })}`),
  matchPairs: () => request('GET', '/api/v1/match/pairs'),
  /** input: {buyer_id, company_id, priority, mode} */
  addMatchPair: (input) => request('POST', '/api/v1/match/pairs', input),
  removeMatchPair: (pairId) => request('DELETE', `/api/v1/match/pairs/${id(pairId)}`),
  autoMatchPairs: (perBuyer) => request('POST', '/api/v1/match/pairs/auto', { per_buyer: perBuyer }),
  /** knobs: {max_run, online_seats, seed} (each optional) */
  runScheduler: (knobs) => request('POST', '/api/v1/match/runs', knobs),
  matchRun: (runId) => request('GET', `/api/v1/match/runs/${id(runId)}`),
  /** to: {slot, mode, interpreter?} */
  moveMatchMeeting: (runId, pair, to) => request('POST', `/api/v1/match/runs/${id(runId)}/move`, { pair, to }),
  publishRun: (runId) => request('POST', `/api/v1/match/runs/${id(runId)}/publish`),
};
