// api.js — the REST client: JSON fetches to /api/v1 with the session token (kept in
// sessionStorage and sent as a Bearer header; the HttpOnly cookie works alongside), and
// errors turned into ApiError {status, code, message}.

const TOKEN_KEY = 'expo.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
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
    if (data && typeof data.code === 'string') throw new ApiError(response.status, data.code, data.message);
    // Some rejections (a body the server could not parse) come as plain text.
    const code = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
      409: 'conflict', 415: 'bad_request', 422: 'validation', 429: 'rate_limited' }[response.status]
      || (response.status >= 500 ? 'internal' : 'unknown');
    throw new ApiError(response.status, code, text.slice(0, 300));
  }
  return data;
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
    request('GET', hallId === undefined ? '/api/v1/companies' : `/api/v1/companies?hall_id=${encodeURIComponent(hallId)}`),
  company: (id) => request('GET', `/api/v1/companies/${encodeURIComponent(id)}`),
};
