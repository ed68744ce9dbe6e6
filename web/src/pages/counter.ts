/**
 * `/counter`: the counter desk. A clerk signs in with the counter's API key, picks one of the
 * counter's services, and checks a citizen's license: by scanning the QR the citizen shows
 * (camera, or pasting the text) — verified by POST /api/v1/verify — or by showing a request QR
 * the wallet answers (POST /api/v1/presentation-requests, from the presentations work; the page
 * says so when this node does not offer it yet). The verdict fills the screen: a large word, an
 * icon and a colour (valid / invalid / cannot confirm — never colour alone), the disclosed claims
 * in large type, and each check expandable.
 *
 * Offline (README "Offline verification"): the page keeps the registry's signed offline bundle
 * while online and, when the network is down, gives the same verdict from it with the server's
 * own verification service (web/src/offline-check.ts), saying so with the bundle's age. The
 * service worker keeps the page itself, so it opens with no network too.
 */
import type { CounterService } from '../../../core/admin-views';
import type { OfflineBundleAge } from '../../../core/offline-verifier';
import { joinClaimPath } from '../../../core/presentation/claim-paths';
import { ApiFailure, api, clear, currentLang, describeFailure, h, mountPage, signIn, signOutButton, statusLine, t, tOr, when } from '../common';
import { OFFLINE_REFRESH_MS, keptBundle, keptTypeMetadata, needsNetwork, refreshKeptBundle, verifyFromKeptBundle } from '../offline-check';
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
  status?: string | null;
  reason?: string;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
  license?: {
    id: string;
    type: string;
    /** The national type name, which keys the Type Metadata in the offline bundle. */
    vct?: string;
    issuer: { agency: string; name: string; province: string | null };
    validFrom: string | null;
    validUntil: string | null;
    claims: Record<string, unknown>;
  } | null;
  /** Present when the verdict came from the kept offline bundle rather than POST /api/v1/verify. */
  bundle?: OfflineBundleAge;
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

interface TypeMetadata {
  claims?: TypeMetadataClaim[];
}

/**
 * Claim labels in the page's language from the license type's SD-JWT VC Type Metadata, the
 * wallet's source too: from the API, or offline from the same document in the kept bundle.
 */
function claimLabels(license: Verdict['license']): Promise<Map<string, string>> {
  if (!license) return Promise.resolve(new Map<string, string>());
  const lang = currentLang();
  const key = `${license.type} ${lang}`;
  let labels = labelCache.get(key);
  if (!labels) {
    const labelled = (metadata: TypeMetadata | null) =>
      new Map<string, string>(
        (metadata?.claims ?? []).flatMap((claim) => {
          const label = claim.display?.find((display) => display.lang === lang)?.label;
          return label === undefined ? [] : [[claim.path.join('/'), label] as const];
        }),
      );
    const offline = () => (license.vct ? keptTypeMetadata(license.vct) : Promise.resolve(null)).then((metadata) => metadata as TypeMetadata | null);
    labels = api<TypeMetadata>('GET', `/api/v1/license-types/${encodeURIComponent(license.type)}/type-metadata`)
      .catch(offline)
      .then(labelled, () => new Map<string, string>());
    // A failed or offline answer is not kept: the next verdict asks again.
    void labels.then((map) => {
      if (map.size === 0) labelCache.delete(key);
    });
    labelCache.set(key, labels);
  }
  return labels;
}

/** "Offline — checked against the registry's bundle of <time> (<N> minutes old)". */
function offlineLine(bundle: OfflineBundleAge): HTMLElement {
  return h(
    'p',
    { id: 'verdict-offline', class: 'offline' },
    t('counter.offline.line', { time: when(bundle.issuedAt), minutes: Math.floor(bundle.ageSeconds / 60) }),
  );
}

/** The verdict screen: word, icon and colour; claims in large type; every check behind a disclosure. */
export function verdictView(verdict: Verdict, labels: ReadonlyMap<string, string> = new Map()): HTMLElement {
  const word = t(`verdict.${verdict.verdict}`);
  const province = verdict.license?.issuer.province ?? '';
  const claims = leafClaims(verdict.license?.claims ?? {});
  return h(
    'section',
    { id: 'verdict', 'aria-labelledby': 'verdict-word', tabindex: '-1' },
    h(
      'div',
      { class: `verdict ${verdict.verdict}`, 'data-verdict': verdict.verdict },
      h('div', { class: 'icon', 'aria-hidden': 'true' }, ICONS[verdict.verdict]),
      h('p', { class: 'word', id: 'verdict-word' }, word),
      verdict.bundle ? offlineLine(verdict.bundle) : null,
      h('p', {}, t(verdict.bundle ? `verdict.${verdict.verdict}.offline` : `verdict.${verdict.verdict}.help`)),
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
            province: tOr(`province.${province}`, province),
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

/** Keeps the offline bundle fresh while the page is open: at sign-in and every few minutes. */
let refreshTimer = 0;

function keepBundleFresh(note: HTMLElement): void {
  const refresh = () => {
    if (!navigator.onLine) return;
    refreshKeptBundle().then(
      (kept) => {
        note.textContent = t('counter.offline.kept', { time: when(kept.issuedAt.toISOString()) });
        note.dataset.issuedAt = kept.issuedAt.toISOString();
      },
      (error: unknown) => {
        note.textContent = t('counter.offline.refreshFailed', { reason: describeFailure(error) });
      },
    );
  };
  window.clearInterval(refreshTimer);
  refreshTimer = window.setInterval(refresh, OFFLINE_REFRESH_MS);
  refresh();
}

/** The check with no network: the kept bundle's verdict, "needs the network" for a holder-bound code, or why it cannot check. */
async function checkOffline(text: string, out: HTMLElement, result: HTMLElement, show: (verdict: Verdict) => void): Promise<void> {
  const kept = await keptBundle().catch(() => null);
  if (!kept) {
    clear(result);
    out.textContent = t('counter.offline.noBundle');
    return;
  }
  const verdict = await verifyFromKeptBundle(text, kept);
  if (needsNetwork(verdict)) {
    clear(result);
    out.textContent = t('counter.offline.needsNetwork');
    return;
  }
  out.textContent = '';
  show(verdict);
}

/** The scan card and the verdict area, online (POST /api/v1/verify, falling back to the bundle) or offline. */
function scanDesk(key: string | null, result: HTMLElement, show: (verdict: Verdict) => void): HTMLElement {
  const out = statusLine();
  const offline = (text: string) =>
    checkOffline(text, out, result, show).catch((error: unknown) => {
      out.textContent = t('counter.offline.failed', { reason: describeFailure(error) });
    });
  const check = (text: string) => {
    out.textContent = t('counter.checking');
    if (key === null || !navigator.onLine) {
      void offline(text);
      return;
    }
    api<Verdict>('POST', '/api/v1/verify', { key, body: { credential: text } }).then(
      (verdict) => {
        out.textContent = '';
        show(verdict);
      },
      (error: unknown) => {
        // The request never reached the server: the kept bundle answers instead.
        if (error instanceof ApiFailure && error.error.status === 0) void offline(text);
        else out.textContent = describeFailure(error);
      },
    );
  };
  const scan = scanner('counter-scan', t('counter.scan'), check);
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'scan-title' },
    h('h2', { id: 'scan-title' }, t('counter.scan')),
    h('p', {}, t('counter.scanHelp')),
    scan.element,
    out,
  );
}

mountPage('counter', 'counter.title', (main) => {
  // The service worker keeps this page and its scripts (the offline verifier too), so it opens with no network.
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  const body = h('div');
  main.append(h('h1', {}, t('counter.title')), body);
  const result = h('div', { id: 'result' });
  const show = (verdict: Verdict) => {
    void claimLabels(verdict.license).then((labels) => {
      clear(result, verdictView(verdict, labels));
      result.querySelector<HTMLElement>('#verdict')?.focus();
    });
  };
  const bundleNote = h('p', { id: 'offline-bundle', class: 'help', role: 'status' });
  const offlineDesk = () => {
    void keptBundle()
      .catch(() => null)
      .then((kept) => {
        bundleNote.textContent = kept ? t('counter.offline.kept', { time: when(kept.issuedAt.toISOString()) }) : t('counter.offline.noBundle');
        if (kept) bundleNote.dataset.issuedAt = kept.issuedAt.toISOString();
      });
    clear(body, h('p', { id: 'offline-desk', class: 'notice' }, t('counter.offline.desk')), bundleNote, scanDesk(null, result, show), result);
  };
  const start = () =>
    signIn<Me>(
      body,
      SLOT,
      'counter',
      (key, me) =>
        void api<{ services: CounterService[] }>('GET', '/api/v1/counter/services', { key }).then(({ services }) => {
          const picker = servicePicker(services);
          keepBundleFresh(bundleNote);
          clear(
            body,
            h('div', { class: 'row' }, h('p', { id: 'signed-in' }, t('counter.signedIn', { name: me.name, id: me.id })), signOutButton(SLOT, start)),
            picker.element,
            scanDesk(key, result, show),
            bundleNote,
            requestPanel(key, picker.value, show),
            result,
          );
        }),
      { onOffline: offlineDesk },
    );
  start();
});
