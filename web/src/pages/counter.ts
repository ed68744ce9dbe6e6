/**
 * `/counter`: the counter desk. A clerk signs in with the counter's API key, picks one of the
 * counter's services, and checks a citizen's license: by scanning the QR the citizen shows
 * (camera, or pasting the text) — verified by POST /api/v1/verify — or by showing a request QR
 * the wallet answers (POST /api/v1/presentation-requests, from the presentations work; the page
 * says so when this node does not offer it yet). The verdict fills the screen: a large word, an
 * icon and a colour (valid / invalid / cannot confirm — never colour alone), the disclosed claims
 * in large type, and each check expandable.
 */
import type { CounterService } from '../../../core/admin-views';
import { joinClaimPath } from '../../../core/presentation/claim-paths';
import { ApiFailure, api, clear, currentLang, describeFailure, h, mountPage, signIn, signOutButton, statusLine, t, tOr } from '../common';
import { scanner } from '../scan';

interface Me {
  kind: 'counter';
  id: string;
  name: string;
  province: string;
}

export interface Verdict {
  valid: boolean;
  verdict: 'valid' | 'invalid' | 'indeterminate';
  status?: string;
  reason?: string;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
  license?: {
    id: string;
    type: string;
    issuer: { agency: string; name: string; province: string };
    validFrom: string;
    validUntil: string | null;
    claims: Record<string, unknown>;
  };
}

interface PresentationRequest {
  id: string;
  uri: string;
  qr?: { png: string; svg: string };
  expiresAt?: string;
}

const SLOT = 'counterKey';
const ICONS = { valid: '✔', invalid: '✖', indeterminate: '?' } as const;

function claimValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return t(value ? 'value.true' : 'value.false');
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Disclosed claims as leaves: `age_equal_or_over: { 18: true }` reads as one line "Age 18 or over: yes". */
function leafClaims(claims: Record<string, unknown>, prefix: readonly string[] = []): Array<[string[], unknown]> {
  return Object.entries(claims).flatMap(([name, value]): Array<[string[], unknown]> => {
    const path = [...prefix, name];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return leafClaims(value as Record<string, unknown>, path);
    return [[path, value]];
  });
}

interface TypeMetadataClaim {
  path: string[];
  display?: Array<{ lang: string; label: string }>;
}

const labelCache = new Map<string, Promise<Map<string, string>>>();

/** Claim labels in the page's language from the license type's SD-JWT VC Type Metadata, the wallet's source too. */
function claimLabels(typeId: string | undefined): Promise<Map<string, string>> {
  if (typeId === undefined) return Promise.resolve(new Map<string, string>());
  const lang = currentLang();
  const key = `${typeId} ${lang}`;
  let labels = labelCache.get(key);
  if (!labels) {
    labels = api<{ claims?: TypeMetadataClaim[] }>('GET', `/api/v1/license-types/${encodeURIComponent(typeId)}/type-metadata`).then(
      (metadata) =>
        new Map<string, string>(
          (metadata.claims ?? []).flatMap((claim) => {
            const label = claim.display?.find((display) => display.lang === lang)?.label;
            return label === undefined ? [] : [[claim.path.join('/'), label] as const];
          }),
        ),
      () => new Map<string, string>(),
    );
    labelCache.set(key, labels);
  }
  return labels;
}

/** The verdict screen: word, icon and colour; claims in large type; every check behind a disclosure. */
export function verdictView(verdict: Verdict, labels: ReadonlyMap<string, string> = new Map()): HTMLElement {
  const word = t(`verdict.${verdict.verdict}`);
  const claims = leafClaims(verdict.license?.claims ?? {});
  return h(
    'section',
    { id: 'verdict', 'aria-labelledby': 'verdict-word', tabindex: '-1' },
    h(
      'div',
      { class: `verdict ${verdict.verdict}`, 'data-verdict': verdict.verdict },
      h('div', { class: 'icon', 'aria-hidden': 'true' }, ICONS[verdict.verdict]),
      h('p', { class: 'word', id: 'verdict-word' }, word),
      h('p', {}, t(`verdict.${verdict.verdict}.help`)),
      verdict.reason ? h('p', {}, t('verdict.reason', { reason: tOr(`reason.${verdict.reason}`, verdict.reason) })) : null,
    ),
    claims.length > 0
      ? h(
          'dl',
          { class: 'claims', id: 'verdict-claims' },
          ...claims.flatMap(([path, value]) => {
            const name = joinClaimPath(path);
            return [h('dt', {}, labels.get(name) ?? tOr(`claim.${name}`, name)), h('dd', { 'data-claim': name }, claimValue(value))];
          }),
        )
      : null,
    verdict.license
      ? h(
          'p',
          {},
          t('verdict.issuer', {
            agency: verdict.license.issuer.name,
            province: tOr(`province.${verdict.license.issuer.province}`, verdict.license.issuer.province),
          }),
        )
      : null,
    h('h2', {}, t('verdict.checks')),
    ...verdict.checks.map((check) =>
      h(
        'details',
        { 'data-check': check.name },
        h('summary', {}, `${check.ok ? '✔' : '✖'} ${tOr(`check.${check.name}`, check.name)} — ${check.ok ? t('check.passed') : t('check.failed')}`),
        h('p', {}, check.detail ?? ''),
      ),
    ),
  );
}

function servicePicker(services: CounterService[]): { element: HTMLElement; value: () => CounterService | null } {
  if (services.length === 0) return { element: h('p', {}, t('counter.noServices')), value: () => null };
  const radios = services.map((service, index) => {
    const radio = h('input', { type: 'radio', name: 'service', id: `service-${service.id}`, value: service.id, checked: index === 0 });
    return {
      radio,
      service,
      label: h('label', { class: 'check', for: `service-${service.id}` }, radio, currentLang() === 'en' ? service.names.en : service.names.zh),
    };
  });
  return {
    element: h('fieldset', {}, h('legend', {}, t('counter.service')), ...radios.map((item) => item.label)),
    value: () => radios.find((item) => item.radio.checked)?.service ?? null,
  };
}

function requestPanel(key: string, service: () => CounterService | null, show: (verdict: Verdict) => void): HTMLElement {
  const out = statusLine();
  const host = h('div', { id: 'request-qr' });
  const button = h('button', { type: 'button', class: 'primary', id: 'request-show' }, t('counter.showRequest'));
  button.addEventListener('click', () => {
    const chosen = service();
    api<PresentationRequest>('POST', '/api/v1/presentation-requests', { key, body: chosen ? { service: chosen.id } : {} }).then(
      (request) => {
        clear(host, request.qr ? h('img', { src: request.qr.png, alt: t('counter.requestQrAlt'), class: 'qr' }) : null, h('p', {}, h('code', {}, request.uri)));
        out.textContent = t('counter.waiting');
        const poll = async () => {
          const state = await api<{ status: string; verdict?: Verdict; failedAttempts: number; lastFailedAttempt: { reason: string } | null }>(
            'GET',
            `/api/v1/presentation-requests/${encodeURIComponent(request.id)}`,
            { key },
          );
          if (state.status === 'presented' && state.verdict) show(state.verdict);
          else if (state.status === 'expired') out.textContent = t('counter.expired');
          else {
            // An answer refused as not bound to this request (a printed copy, a replay) leaves it open: say so, keep waiting.
            if (state.lastFailedAttempt) {
              const reason = state.lastFailedAttempt.reason;
              out.textContent = t('counter.failedAttempt', { count: state.failedAttempts, reason: tOr(`check.${reason}`, reason) });
            }
            window.setTimeout(() => void poll(), 1000);
          }
        };
        void poll();
      },
      (error: unknown) => {
        out.textContent = error instanceof ApiFailure && error.error.status === 404 ? t('counter.noRequests') : describeFailure(error);
      },
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'request-title' },
    h('h2', { id: 'request-title' }, t('counter.request')),
    h('p', {}, t('counter.requestHelp')),
    button,
    host,
    out,
  );
}

mountPage('counter', 'counter.title', (main) => {
  const body = h('div');
  main.append(h('h1', {}, t('counter.title')), body);
  const start = () =>
    signIn<Me>(
      body,
      SLOT,
      'counter',
      (key, me) =>
        void api<{ services: CounterService[] }>('GET', '/api/v1/counter/services', { key }).then(({ services }) => {
          const result = h('div', { id: 'result' });
          const out = statusLine();
          const picker = servicePicker(services);
          const show = (verdict: Verdict) => {
            void claimLabels(verdict.license?.type).then((labels) => {
              clear(result, verdictView(verdict, labels));
              result.querySelector<HTMLElement>('#verdict')?.focus();
            });
          };
          const check = (text: string) => {
            out.textContent = t('counter.checking');
            api<Verdict>('POST', '/api/v1/verify', { key, body: { credential: text } }).then(
              (verdict) => {
                out.textContent = '';
                show(verdict);
              },
              (error: unknown) => {
                out.textContent = describeFailure(error);
              },
            );
          };
          const scan = scanner('counter-scan', t('counter.scan'), check);
          clear(
            body,
            h('div', { class: 'row' }, h('p', { id: 'signed-in' }, t('counter.signedIn', { name: me.name, id: me.id })), signOutButton(SLOT, start)),
            picker.element,
            h(
              'section',
              { class: 'card', 'aria-labelledby': 'scan-title' },
              h('h2', { id: 'scan-title' }, t('counter.scan')),
              h('p', {}, t('counter.scanHelp')),
              scan.element,
              out,
            ),
            requestPanel(key, picker.value, show),
            result,
          );
        }),
    );
  start();
});
