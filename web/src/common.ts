/**
 * What every page shares: messages in two languages (from the message files, chosen from the
 * browser and remembered), elder mode (适老模式, one tap away and remembered), the page chrome,
 * a tiny element builder, and the one way pages call the API.
 */
import en from '../i18n/en.json';
import zh from '../i18n/zh-CN.json';

export type MessageKey = keyof typeof en;
export type Lang = 'zh-CN' | 'en';

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zh };
const LANG_KEY = 'elicense.lang';
const ELDER_KEY = 'elicense.elder';

/** A localStorage value, or null where there is none or no storage (private browsing). */
export function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private browsing without storage: the choice lasts for this page only.
  }
}

export function currentLang(): Lang {
  const chosen = stored(LANG_KEY);
  if (chosen === 'zh-CN' || chosen === 'en') return chosen;
  return navigator.languages.some((lang) => lang.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

/** A message, with `{name}` placeholders filled in. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = MESSAGES[currentLang()][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

/** A message when the key exists (field labels, reason codes), else the fallback. */
export function tOr(key: string, fallback: string): string {
  return Object.hasOwn(en, key) ? t(key as MessageKey) : fallback;
}

export function isElder(): boolean {
  return stored(ELDER_KEY) === 'on';
}

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h('button', { type: 'button', onclick }, 'Save')`: attributes, `on*` listeners, children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function clear(element: Element, ...children: Child[]): void {
  element.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
}

/** A polite live region for results, so screen readers hear them without a pop-up. */
export function statusLine(): HTMLParagraphElement {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

export interface ApiError {
  status: number;
  code: string;
  message: string;
  field?: string;
  txId?: string;
}

export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(`${error.code}: ${error.message}`);
  }
}

/** Calls the API; a 4xx/5xx becomes an ApiFailure carrying the server's code and field. */
export async function api<T>(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: options.body === undefined ? null : JSON.stringify(options.body), cache: 'no-store' });
  } catch {
    throw new ApiFailure({ status: 0, code: 'NETWORK', message: t('error.network') });
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (parsed as { error?: Partial<ApiError> } | null)?.error ?? {};
    throw new ApiFailure({
      status: response.status,
      code: error.code ?? 'HTTP_' + String(response.status),
      message: error.message ?? response.statusText,
      ...(error.field ? { field: error.field } : {}),
      ...(error.txId ? { txId: error.txId } : {}),
    });
  }
  return parsed as T;
}

/** A failure as a sentence for the page: the translated code when we have one, and the server's detail. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiFailure) return `${tOr(`code.${error.error.code}`, error.error.code)} — ${error.error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export type PageId = 'home' | 'agency' | 'admin' | 'wallet' | 'counter';

const PAGES: Array<[PageId, string, MessageKey]> = [
  ['home', '/', 'nav.home'],
  ['agency', '/agency', 'nav.agency'],
  ['admin', '/admin', 'nav.admin'],
  ['wallet', '/wallet', 'nav.wallet'],
  ['counter', '/counter', 'nav.counter'],
];

function applyElder(on: boolean): void {
  document.documentElement.classList.toggle('elder', on);
}

/**
 * Renders the header (brand, page links, language switch, elder-mode switch), a skip link and
 * an empty <main>; `render` fills main and runs again when the language changes.
 */
export function mountPage(page: PageId, titleKey: MessageKey, render: (main: HTMLElement) => void): void {
  const root = document.body;
  const draw = () => {
    const lang = currentLang();
    document.documentElement.lang = lang;
    document.title = `${t(titleKey)} · ${t('app.name')}`;
    applyElder(isElder());
    const elder = h('button', { type: 'button', class: 'tool', id: 'elder-toggle', 'aria-pressed': String(isElder()) }, t('elder.toggle'));
    elder.addEventListener('click', () => {
      const on = !isElder();
      store(ELDER_KEY, on ? 'on' : 'off');
      applyElder(on);
      elder.setAttribute('aria-pressed', String(on));
    });
    const other: Lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
    const langButton = h('button', { type: 'button', class: 'tool', id: 'lang-toggle', lang: other }, other === 'en' ? 'English' : '中文');
    langButton.addEventListener('click', () => {
      store(LANG_KEY, other);
      draw();
    });
    const nav = h(
      'nav',
      { 'aria-label': t('nav.label') },
      h('ul', {}, ...PAGES.map(([id, href, key]) => h('li', {}, h('a', { href, 'aria-current': id === page ? 'page' : null }, t(key))))),
    );
    const main = h('main', { id: 'main', tabindex: '-1' });
    clear(
      root,
      h('a', { class: 'skip', href: '#main' }, t('skip')),
      h('header', { class: 'bar' }, h('a', { class: 'brand', href: '/' }, t('app.name')), nav, h('div', { class: 'tools' }, langButton, elder)),
      main,
      h('footer', { class: 'foot' }, h('p', {}, t('footer'))),
    );
    render(main);
  };
  draw();
}

/** Session-scoped secrets (API keys): gone when the tab closes, never in localStorage. */
export const session = {
  get(name: string): string | null {
    try {
      return sessionStorage.getItem(`elicense.${name}`);
    } catch {
      return null;
    }
  },
  set(name: string, value: string | null): void {
    try {
      if (value === null) sessionStorage.removeItem(`elicense.${name}`);
      else sessionStorage.setItem(`elicense.${name}`, value);
    } catch {
      // No session storage: the key lasts for this page only.
    }
  },
};

/**
 * The sign-in block every keyed page starts with: a password-type field for the API key, checked
 * against GET /api/v1/me for the expected kind. Calls `onSignedIn` with the key and who it is;
 * with `onOffline`, a network failure calls that instead of refusing the key.
 */
export function signIn<T extends { kind: string }>(
  container: HTMLElement,
  slot: string,
  kind: T['kind'],
  onSignedIn: (key: string, me: T) => void,
  options: { onOffline?: (key: string) => void } = {},
): void {
  const saved = session.get(slot);
  const status = statusLine();
  const input = h('input', {
    id: `${slot}-key`,
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': `${slot}-key-help`,
  });
  const attempt = async (key: string) => {
    try {
      const me = await api<T>('GET', '/api/v1/me', { key });
      if (me.kind !== kind) throw new Error(t('signin.wrongKind'));
      session.set(slot, key);
      onSignedIn(key, me);
    } catch (error) {
      // No network says nothing about the key: a page that works offline keeps it and goes on without the server.
      if (options.onOffline && error instanceof ApiFailure && error.error.status === 0) {
        options.onOffline(key);
        return;
      }
      session.set(slot, null);
      status.textContent = describeFailure(error);
    }
  };
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': `${slot}-signin-title` },
    h('h2', { id: `${slot}-signin-title` }, t('signin.title')),
    h('label', { for: `${slot}-key` }, t('signin.key')),
    input,
    h('p', { class: 'help', id: `${slot}-key-help` }, t('signin.help')),
    h('button', { type: 'submit', class: 'primary' }, t('signin.submit')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void attempt(input.value.trim());
  });
  clear(container, form);
  if (saved) void attempt(saved);
}

/** A sign-out button that forgets the session's key and shows the sign-in again. */
export function signOutButton(slot: string, again: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary' }, t('signin.out'));
  button.addEventListener('click', () => {
    session.set(slot, null);
    again();
  });
  return button;
}

/**
 * An inline confirmation (no pop-up): replaces `host`'s content with the question and two
 * buttons; `Cancel` restores it. Focus moves to the question so keyboard users land on it.
 */
export function confirmInline(host: HTMLElement, question: string, confirmLabel: string, action: () => Promise<void>): void {
  const previous = [...host.childNodes];
  const restore = () => host.replaceChildren(...previous);
  const text = h('p', { class: 'confirm-question', tabindex: '-1' }, question);
  const yes = h('button', { type: 'button', class: 'danger' }, confirmLabel);
  const no = h('button', { type: 'button', class: 'secondary' }, t('action.cancel'));
  yes.addEventListener('click', () => {
    yes.disabled = true;
    void action().finally(restore);
  });
  no.addEventListener('click', restore);
  clear(host, h('div', { class: 'confirm', role: 'group', 'aria-label': question }, text, h('div', { class: 'row' }, yes, no)));
  text.focus();
}

/** The ISO instant as the reader's local date and time, in their language. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(currentLang());
}

/** A short transaction id with the full one in the title and for copying. */
export function txLink(txId: string | null | undefined): HTMLElement {
  if (!txId) return h('span', {}, '—');
  return h('code', { class: 'tx', title: txId }, `${txId.slice(0, 12)}…`);
}

/** An image from an API path that needs the key (QR of a credential): fetched, shown as a blob URL. */
export async function authorizedImage(path: string, key: string, alt: string): Promise<HTMLImageElement> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
  if (!response.ok) throw new ApiFailure({ status: response.status, code: `HTTP_${response.status}`, message: response.statusText });
  return h('img', { src: URL.createObjectURL(await response.blob()), alt, class: 'qr' });
}
