// i18n.js — UI strings (English and Korean), the current language (remembered in
// localStorage), and helpers that (re)translate every element marked with data-i18n.
//
// Adding a language: add a block to STRINGS and an entry to LANGUAGES. Missing keys fall
// back to English. Strings may hold {placeholders}; a value may also be a plural object
// ({one, other}) chosen by Intl.PluralRules on the `count` parameter.

const STRINGS = {
  en: {
    'app.name': 'Expo Hub',
    'app.tagline': 'The hybrid trade fair, live',
    'common.loading': 'Loading…',
    'common.retry': 'Try again',
    'common.close': 'Close',
    'common.or': 'or',

    'header.language': 'Language',
    'header.signOut': 'Sign out',
    'header.signedInAs': 'Signed in as {name}',

    'hero.eyebrow': 'Online and on site',
    'hero.title': 'Korean exporters meet the world’s buyers',
    'hero.text': 'Visit booths, see who is at the fair right now and meet exhibitors — on site or from anywhere.',
    'hero.point1': 'Eight industry halls, from food to energy',
    'hero.point2': 'Buyers from Russia, China, Mongolia, Japan and beyond',
    'hero.point3': 'Interpreters for Korean, Russian, Chinese, Mongolian and Japanese',

    'field.email': 'Email',
    'field.password': 'Password',
    'field.passwordHint': 'At least 8 characters.',
    'field.passwordConfirm': 'Repeat the password',
    'field.name': 'Full name',
    'field.company': 'Company',
    'field.country': 'Country',
    'field.countryChoose': 'Choose a country',
    'field.countryFeatured': 'Featured',
    'field.countryAll': 'All countries',
    'field.timezone': 'Time zone',
    'field.timezoneHint': 'Meeting times are shown in this zone.',
    'field.languages': 'Languages you speak',
    'field.interests': 'Sourcing interests',
    'field.shareContact': 'Share my contact details with the exhibitors I visit',

    'login.title': 'Sign in',
    'login.subtitle': 'Welcome back. Sign in to walk the halls and meet exhibitors.',
    'login.submit': 'Sign in',
    'login.submitting': 'Signing in…',
    'login.noAccount': 'Buyer without an account?',
    'login.registerLink': 'Register as a buyer',
    'login.inviteHint': 'Exhibitors and interpreters join through the invitation sent by the organizer.',

    'register.title': 'Register as a buyer',
    'register.subtitle': 'Tell us about you and your company. The organizer reviews every buyer before the fair.',
    'register.submit': 'Register',
    'register.submitting': 'Sending…',
    'register.haveAccount': 'Already registered?',
    'register.signInLink': 'Sign in',
    'register.doneTitle': 'Thank you — waiting for approval',
    'register.doneText': 'We received your registration, {name}. The organizer will review it; once it is approved you can sign in with {email}.',
    'register.backToSignIn': 'Back to sign-in',

    'accept.title': 'Accept your invitation',
    'accept.subtitle': 'Choose a password to activate your account.',
    'accept.submit': 'Activate account',
    'accept.submitting': 'Activating…',
    'accept.missingToken': 'This link has no invitation token. Please open the link from your invitation email again.',

    'error.invalid_credentials': 'The email or password is wrong.',
    'error.account_pending': 'Your account is waiting for the organizer’s approval. You can sign in once it is approved.',
    'error.account_disabled': 'This account has been disabled. Please contact the organizer.',
    'error.unauthorized': 'Please sign in.',
    'error.token_expired': 'Your session has expired. Please sign in again.',
    'error.token_revoked': 'You were signed out. Please sign in again.',
    'error.validation': 'Please check the form: {message}',
    'error.conflict': 'An account with this email already exists.',
    'error.not_found': 'That could not be found.',
    'error.invitation_not_found': 'This invitation link is unknown, already used or expired.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.rate_limited': 'Too many attempts. Please wait a moment and try again.',
    'error.network': 'The server cannot be reached. Check your connection and try again.',
    'error.internal': 'Something went wrong on the server. Please try again.',
    'error.unknown': 'Something went wrong ({code}).',
    'error.password_mismatch': 'The two passwords do not match.',
    'error.password_short': 'The password needs at least 8 characters.',

    'lobby.welcome': 'Welcome, {name}',
    'lobby.intro': 'Walk the halls, open a booth and see who is at the fair right now.',
    'lobby.loadError': 'The fair could not be loaded.',
    'stats.halls': 'Halls',
    'stats.companies': 'Exhibitors',
    'stats.products': 'Products',
    'stats.buyers': 'Buyers',
    'stats.interpreters': 'Interpreters',
    'stats.countries': 'Buyer countries',
    'halls.title': 'Halls',
    'hall.companies': { one: '{count} exhibitor', other: '{count} exhibitors' },
    'hall.empty': 'No exhibitors yet.',

    'online.title': 'Online now',
    'online.empty': 'Nobody is here yet.',
    'online.you': 'you',
    'online.since': 'since {time}',
    'online.tabs': { one: '{count} window', other: '{count} windows' },

    'role.organizer': 'Organizer',
    'role.exhibitor': 'Exhibitor',
    'role.buyer': 'Buyer',
    'role.interpreter': 'Interpreter',

    'conn.idle': 'Offline',
    'conn.connecting': 'Connecting…',
    'conn.connected': 'Live',
    'conn.reconnecting': 'Reconnecting…',
    'conn.closed': 'Offline',

    'company.products': 'Products',
    'company.staff': 'Staff',
    'company.website': 'Website',
    'company.founded': 'Founded {year}',
    'company.noProducts': 'No products listed yet.',
    'company.noStaff': 'No staff registered yet.',
    'company.admin': 'Booth admin',

    'interest.food': 'Food & beverage',
    'interest.cosmetics': 'Cosmetics & beauty',
    'interest.medical-devices': 'Medical devices & bio-health',
    'interest.auto-parts': 'Auto parts & mobility',
    'interest.agriculture': 'Smart farming & marine',
    'interest.ict': 'ICT & digital content',
    'interest.energy': 'Eco & energy',
    'interest.consumer-goods': 'Living, culture & tourism',

    'notfound.title': 'Page not found',
    'notfound.link': 'Go to the lobby',
  },
  ko: {
    'app.name': 'Expo Hub',
    'app.tagline': '하이브리드 무역 박람회, 실시간으로',
    'common.loading': '불러오는 중…',
    'common.retry': '다시 시도',
    'common.close': '닫기',
    'common.or': '또는',

    'header.language': '언어',
    'header.signOut': '로그아웃',
    'header.signedInAs': '{name}(으)로 로그인됨',

    'hero.eyebrow': '온라인과 현장에서',
    'hero.title': '한국 수출기업과 세계의 바이어가 만나는 곳',
    'hero.text': '현장에서든 어디서든 부스를 방문하고, 지금 박람회에 누가 있는지 확인하고, 참가기업과 만나세요.',
    'hero.point1': '식품부터 에너지까지 8개 산업 전시관',
    'hero.point2': '러시아·중국·몽골·일본 등 해외 바이어',
    'hero.point3': '한국어·러시아어·중국어·몽골어·일본어 통역 지원',

    'field.email': '이메일',
    'field.password': '비밀번호',
    'field.passwordHint': '8자 이상 입력하세요.',
    'field.passwordConfirm': '비밀번호 확인',
    'field.name': '이름',
    'field.company': '회사명',
    'field.country': '국가',
    'field.countryChoose': '국가를 선택하세요',
    'field.countryFeatured': '주요 국가',
    'field.countryAll': '전체 국가',
    'field.timezone': '시간대',
    'field.timezoneHint': '상담 시간은 이 시간대로 표시됩니다.',
    'field.languages': '사용 언어',
    'field.interests': '관심 품목',
    'field.shareContact': '방문한 참가기업에 내 연락처 공개',

    'login.title': '로그인',
    'login.subtitle': '다시 오신 것을 환영합니다. 로그인하고 전시관을 둘러보세요.',
    'login.submit': '로그인',
    'login.submitting': '로그인 중…',
    'login.noAccount': '바이어 계정이 없으신가요?',
    'login.registerLink': '바이어 등록하기',
    'login.inviteHint': '참가기업과 통역사는 주최측이 보낸 초대장으로 가입합니다.',

    'register.title': '바이어 등록',
    'register.subtitle': '본인과 회사 정보를 입력해 주세요. 주최측이 박람회 전에 모든 바이어를 검토합니다.',
    'register.submit': '등록하기',
    'register.submitting': '보내는 중…',
    'register.haveAccount': '이미 등록하셨나요?',
    'register.signInLink': '로그인',
    'register.doneTitle': '감사합니다 — 승인 대기 중',
    'register.doneText': '{name}님의 등록 신청을 받았습니다. 주최측 검토 후 승인되면 {email}(으)로 로그인할 수 있습니다.',
    'register.backToSignIn': '로그인으로 돌아가기',

    'accept.title': '초대 수락',
    'accept.subtitle': '비밀번호를 설정하여 계정을 활성화하세요.',
    'accept.submit': '계정 활성화',
    'accept.submitting': '활성화 중…',
    'accept.missingToken': '초대 토큰이 없는 링크입니다. 초대 이메일의 링크를 다시 열어 주세요.',

    'error.invalid_credentials': '이메일 또는 비밀번호가 올바르지 않습니다.',
    'error.account_pending': '계정이 주최측 승인을 기다리고 있습니다. 승인 후 로그인할 수 있습니다.',
    'error.account_disabled': '비활성화된 계정입니다. 주최측에 문의해 주세요.',
    'error.unauthorized': '로그인해 주세요.',
    'error.token_expired': '세션이 만료되었습니다. 다시 로그인해 주세요.',
    'error.token_revoked': '로그아웃되었습니다. 다시 로그인해 주세요.',
    'error.validation': '입력 내용을 확인해 주세요: {message}',
    'error.conflict': '이미 이 이메일로 가입된 계정이 있습니다.',
    'error.not_found': '찾을 수 없습니다.',
    'error.invitation_not_found': '알 수 없거나, 이미 사용되었거나, 만료된 초대 링크입니다.',
    'error.forbidden': '권한이 없습니다.',
    'error.rate_limited': '시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.',
    'error.network': '서버에 연결할 수 없습니다. 네트워크를 확인하고 다시 시도해 주세요.',
    'error.internal': '서버에 문제가 발생했습니다. 다시 시도해 주세요.',
    'error.unknown': '문제가 발생했습니다 ({code}).',
    'error.password_mismatch': '두 비밀번호가 일치하지 않습니다.',
    'error.password_short': '비밀번호는 8자 이상이어야 합니다.',

    'lobby.welcome': '{name}님, 환영합니다',
    'lobby.intro': '전시관을 둘러보고, 부스를 열어 보고, 지금 박람회에 누가 있는지 확인하세요.',
    'lobby.loadError': '박람회 정보를 불러오지 못했습니다.',
    'stats.halls': '전시관',
    'stats.companies': '참가기업',
    'stats.products': '제품',
    'stats.buyers': '바이어',
    'stats.interpreters': '통역사',
    'stats.countries': '바이어 국가',
    'halls.title': '전시관',
    'hall.companies': { other: '참가기업 {count}곳' },
    'hall.empty': '아직 참가기업이 없습니다.',

    'online.title': '지금 접속 중',
    'online.empty': '아직 아무도 없습니다.',
    'online.you': '나',
    'online.since': '{time}부터',
    'online.tabs': { other: '창 {count}개' },

    'role.organizer': '주최측',
    'role.exhibitor': '참가기업',
    'role.buyer': '바이어',
    'role.interpreter': '통역사',

    'conn.idle': '오프라인',
    'conn.connecting': '연결 중…',
    'conn.connected': '실시간',
    'conn.reconnecting': '재연결 중…',
    'conn.closed': '오프라인',

    'company.products': '제품',
    'company.staff': '담당자',
    'company.website': '웹사이트',
    'company.founded': '{year}년 설립',
    'company.noProducts': '등록된 제품이 없습니다.',
    'company.noStaff': '등록된 담당자가 없습니다.',
    'company.admin': '부스 관리자',

    'interest.food': '식품·음료',
    'interest.cosmetics': '화장품·뷰티',
    'interest.medical-devices': '의료기기·바이오헬스',
    'interest.auto-parts': '자동차 부품·모빌리티',
    'interest.agriculture': '스마트팜·해양',
    'interest.ict': 'ICT·디지털 콘텐츠',
    'interest.energy': '친환경·에너지',
    'interest.consumer-goods': '생활·문화·관광',

    'notfound.title': '페이지를 찾을 수 없습니다',
    'notfound.link': '로비로 가기',
  },
};

/** The languages offered by the switch, each named in itself. */
export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'ko', label: '한국어' },
];

const STORAGE_KEY = 'expo.lang';
const listeners = new Set();
let current = initialLanguage();

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && STRINGS[saved]) return saved;
  } catch {
    // Storage may be blocked (private mode); fall through to the browser's language.
  }
  const preferred = (navigator.languages || [navigator.language || 'en'])
    .map((tag) => String(tag).toLowerCase().split('-')[0]);
  return preferred.find((code) => STRINGS[code]) || 'en';
}

export function getLang() {
  return current;
}

/** Switches the UI language, remembers it, retranslates the page and tells listeners. */
export function setLang(code) {
  if (!STRINGS[code] || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Not remembered, but still switched for this page.
  }
  document.documentElement.lang = code;
  applyTranslations(document);
  for (const fn of listeners) fn(code);
}

/** Calls fn(code) after every language switch; returns a function that stops it. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The string for key in the current language, with {placeholders} filled from params. */
export function t(key, params = {}) {
  let value = STRINGS[current]?.[key] ?? STRINGS.en[key];
  if (value === undefined) return key;
  if (typeof value === 'object') {
    const rule = new Intl.PluralRules(current).select(Number(params.count ?? 0));
    value = value[rule] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? formatParam(params[name]) : whole);
}

function formatParam(value) {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

export function formatNumber(n) {
  return new Intl.NumberFormat(current).format(n);
}

/** A time of day in the viewer's own time zone. */
export function formatTime(ms) {
  return new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}

/** The name of a region (ISO 3166 alpha-2) in the UI language, or the code itself. */
export function countryName(code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([current], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** The name of a language (BCP 47) in the UI language, or the tag itself. */
export function languageName(tag) {
  try {
    return new Intl.DisplayNames([current], { type: 'language' }).of(tag) || tag;
  } catch {
    return tag;
  }
}

/** A user-facing message for an error with a `code` (ApiError, HubError or plain). */
export function errorMessage(error, overrides = {}) {
  const code = error?.code || 'unknown';
  if (overrides[code]) return t(overrides[code]);
  const key = `error.${code}`;
  if (STRINGS.en[key] !== undefined) return t(key, { message: error?.message || '', code });
  return t('error.unknown', { code });
}

/**
 * Translates every element under root that carries:
 *   data-i18n="key" (its text), data-i18n-args='{"count":3}' (parameters), and
 *   data-i18n-attr="placeholder:key;title:key" (attributes).
 */
export function applyTranslations(root = document) {
  const scope = root.querySelectorAll ? root : document;
  const nodes = [];
  if (scope.matches?.('[data-i18n],[data-i18n-attr]')) nodes.push(scope);
  nodes.push(...scope.querySelectorAll('[data-i18n],[data-i18n-attr]'));
  for (const el of nodes) {
    const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n, args);
    if (el.dataset.i18nAttr) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        if (attr && key) el.setAttribute(attr, t(key, args));
      }
    }
  }
}

document.documentElement.lang = current;
