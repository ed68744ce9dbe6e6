/**
 * `/agency`: the agency console. A clerk signs in with the agency's API key (kept in
 * sessionStorage), issues licenses from forms generated from each type's schema, hands over the
 * credential offer (QR + PIN) or prints the A6 card, finds and manages the agency's licenses
 * (suspend / reinstate / revoke / renew, each with a reason and an inline confirmation), reads a
 * license's ledger history, and issues in bulk from a CSV file (bulk.ts).
 */
import type { ReasonCode } from '../../../core/anchor';
import { bulkSection } from '../bulk';
import {
  ApiFailure,
  api,
  authorizedImage,
  clear,
  confirmInline,
  currentLang,
  describeFailure,
  h,
  mountPage,
  signIn,
  signOutButton,
  statusLine,
  t,
  tOr,
  txLink,
  when,
} from '../common';
import { schemaForm, type JsonSchema } from '../schema-form';

export interface LicenseTypeInfo {
  id: string;
  names: { zh: string; en: string };
  schema: JsonSchema;
  example: unknown;
}

interface Me {
  kind: 'agency';
  id: string;
  name: string;
  province: string;
  licenseTypes: string[];
}

interface Offer {
  uri: string;
  txCode?: string;
  expiresAt?: string;
  qr?: string;
}

interface Issued {
  licenseId: string;
  status: string;
  anchor: { txId: string; blockNumber: number };
  credential: string;
  offer?: Offer;
}

interface LicenseSummary {
  licenseId: string;
  type: string;
  state: string;
  status: string;
  validFrom: string;
  validUntil: string | null;
  createdAt: string;
}

/** The reasons each action accepts; typed against the ledger's codes so a removed code fails the build. */
const REASONS: Record<'suspend' | 'reinstate' | 'revoke' | 'renew', readonly ReasonCode[]> = {
  suspend: ['lost', 'stolen', 'investigation', 'administrative-penalty', 'court-order', 'holder-request', 'other'],
  reinstate: ['investigation-cleared', 'holder-request', 'other'],
  revoke: ['fraud', 'court-order', 'holder-deceased', 'entity-dissolved', 'data-error', 'administrative-penalty', 'other'],
  renew: ['renewal', 'replacement', 'data-error', 'lost', 'damaged'],
};

const SLOT = 'agencyKey';

function typeName(types: LicenseTypeInfo[], id: string): string {
  const type = types.find((candidate) => candidate.id === id);
  return type ? (currentLang() === 'en' ? type.names.en : type.names.zh) : id;
}

function badge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}` }, tOr(`status.${status}`, status));
}

function offerImage(offer: Offer): HTMLElement | null {
  if (!offer.qr) return null;
  const src = offer.qr.startsWith('data:') || offer.qr.startsWith('/') ? offer.qr : `data:image/png;base64,${offer.qr}`;
  return h('img', { src, alt: t('issue.offerQrAlt'), class: 'qr' });
}

/** The offer to hand to the holder: its QR, the PIN told separately, and until when it works. */
function offerPanel(offer: Offer): HTMLElement {
  return h(
    'section',
    { class: 'card', id: 'offer', 'aria-labelledby': 'offer-title' },
    h('h3', { id: 'offer-title' }, t('issue.offer')),
    h('p', {}, t('issue.offerHelp')),
    offerImage(offer),
    offer.txCode ? h('p', {}, t('issue.pin'), ' ', h('span', { class: 'pin', id: 'offer-pin' }, offer.txCode)) : null,
    offer.expiresAt ? h('p', {}, t('issue.expires', { at: when(offer.expiresAt) })) : null,
    h('p', {}, h('code', { id: 'offer-uri' }, offer.uri)),
  );
}

/** The printable A6 card: the printed credential as a QR, and what a person reads on it. */
async function printCard(key: string, issued: Issued, body: Record<string, unknown>, types: LicenseTypeInfo[], me: Me): Promise<HTMLElement> {
  const holder = (body.holder ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  const qr = await authorizedImage(`/api/v1/licenses/${issued.licenseId}/qr.png`, key, t('card.qrAlt'));
  const print = h('button', { type: 'button', class: 'primary no-print' }, t('card.print'));
  print.addEventListener('click', () => window.print());
  return h(
    'section',
    { class: 'print-card', id: 'print-card', 'aria-labelledby': 'card-title' },
    h('h3', { id: 'card-title' }, typeName(types, String(body.type))),
    qr,
    h(
      'dl',
      {},
      h('dt', {}, t('card.holder')),
      h('dd', {}, text(holder.name)),
      h('dt', {}, t('card.licenseId')),
      h('dd', { class: 'mono' }, issued.licenseId),
      h('dt', {}, t('card.validity')),
      h('dd', {}, `${text(body.validFrom)} — ${body.validUntil === null ? t('form.longTerm') : text(body.validUntil)}`),
      h('dt', {}, t('card.issuer')),
      h('dd', {}, me.name),
    ),
    h('p', { class: 'help' }, t('card.note')),
    print,
  );
}

function issueSection(key: string, me: Me, types: LicenseTypeInfo[]): HTMLElement {
  const own = types.filter((type) => me.licenseTypes.includes(type.id));
  const select = h('select', { id: 'issue-type' }, ...own.map((type) => h('option', { value: type.id }, typeName(types, type.id))));
  const formHost = h('div');
  const result = h('div', { id: 'issue-result' });
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'primary', id: 'issue-submit' }, t('issue.submit'));
  const example = h('button', { type: 'button', class: 'secondary', id: 'issue-example' }, t('issue.example'));
  let form = schemaForm({}, 'issue');
  const pick = () => {
    const type = own.find((candidate) => candidate.id === select.value);
    form = schemaForm(type?.schema ?? {}, 'issue');
    clear(formHost, form.element);
    clear(result);
  };
  select.addEventListener('change', pick);
  example.addEventListener('click', () => form.fill(own.find((candidate) => candidate.id === select.value)?.example));
  const element = h(
    'form',
    { class: 'card', id: 'issue', 'aria-labelledby': 'issue-title', novalidate: true },
    h('h2', { id: 'issue-title' }, t('issue.title')),
    h('label', { for: 'issue-type' }, t('issue.type')),
    select,
    formHost,
    h('div', { class: 'row' }, submit, example),
    status,
    result,
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    form.clearErrors();
    const body = form.value();
    submit.disabled = true;
    status.textContent = t('issue.working');
    api<Issued>('POST', '/api/v1/licenses', { key, body, headers: { 'Idempotency-Key': `page-${crypto.randomUUID()}` } })
      .then(async (issued) => {
        status.textContent = t('issue.done', { id: issued.licenseId });
        clear(
          result,
          h('p', {}, t('issue.anchored'), ' ', txLink(issued.anchor.txId), ' ', t('issue.block', { n: issued.anchor.blockNumber })),
          issued.offer ? offerPanel(issued.offer) : null,
          await printCard(key, issued, body, types, me),
        );
      })
      .catch((error: unknown) => {
        const field = error instanceof ApiFailure ? error.error.field : undefined;
        const shown = field !== undefined && error instanceof ApiFailure && form.showError(field, error.error.message);
        status.textContent = shown ? t('issue.fieldError') : describeFailure(error);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  pick();
  return element;
}

function reasonSelect(id: string, action: keyof typeof REASONS): HTMLSelectElement {
  return h('select', { id }, ...REASONS[action].map((reason) => h('option', { value: reason }, tOr(`reason.${reason}`, reason))));
}

/** One action (suspend, reinstate, revoke, renew) with its reason and an inline confirmation. */
function actionRow(key: string, id: string, action: keyof typeof REASONS, refresh: () => void, out: HTMLElement): HTMLElement {
  const selectId = `${action}-reason-${id}`;
  const select = reasonSelect(selectId, action);
  const button = h('button', { type: 'button', class: action === 'revoke' ? 'danger' : 'secondary', 'data-action': action }, t(`action.${action}`));
  const host = h('div', { class: 'row action' }, h('label', { for: selectId }, t('action.reason')), select, button);
  button.addEventListener('click', () => {
    const reason = select.value;
    confirmInline(host, t(`confirm.${action}`, { id, reason: tOr(`reason.${reason}`, reason) }), t('action.confirm'), async () => {
      try {
        const path = `/api/v1/licenses/${encodeURIComponent(id)}/${action}`;
        const headers: Record<string, string> = action === 'renew' ? { 'Idempotency-Key': `page-${crypto.randomUUID()}` } : {};
        const answer = await api<{ licenseId?: string; anchor?: { txId: string } }>('POST', path, { key, body: { reason }, headers });
        out.textContent = t('action.done', { action: t(`action.${action}`), tx: answer.anchor?.txId.slice(0, 12) ?? '' });
        refresh();
      } catch (error) {
        out.textContent = describeFailure(error);
      }
    });
  });
  return host;
}

interface StatusView {
  status: string;
  reason: string | null;
  version: number;
  supersededBy: string | null;
}

interface HistoryEntry {
  txId: string;
  timestamp: string;
  status: string;
  reason: string | null;
  version: number;
}

async function detailPanel(key: string, id: string, host: HTMLElement): Promise<void> {
  const out = statusLine();
  const refresh = () => void detailPanel(key, id, host).then(() => host.querySelector<HTMLElement>('.status')?.append(out.textContent));
  try {
    const [status, history] = await Promise.all([
      api<StatusView>('GET', `/api/v1/licenses/${encodeURIComponent(id)}/status`, { key }),
      api<{ history: HistoryEntry[] }>('GET', `/api/v1/licenses/${encodeURIComponent(id)}/history`, { key }),
    ]);
    const actions = (['suspend', 'reinstate', 'revoke', 'renew'] as const).map((action) => actionRow(key, id, action, refresh, out));
    clear(
      host,
      h('h3', { id: `detail-${id}` }, t('detail.title', { id })),
      h('p', {}, t('detail.status'), ' ', badge(status.status), status.reason ? ` (${tOr(`reason.${status.reason}`, status.reason)})` : ''),
      status.supersededBy ? h('p', {}, t('detail.supersededBy', { id: status.supersededBy })) : null,
      h('h4', {}, t('detail.history')),
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('detail.history') },
        h(
          'table',
          { class: 'history' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, t('detail.when')), h('th', {}, t('detail.status')), h('th', {}, t('action.reason')), h('th', {}, t('detail.tx'))),
          ),
          h(
            'tbody',
            {},
            ...history.history.map((entry) =>
              h(
                'tr',
                {},
                h('td', {}, when(entry.timestamp)),
                h('td', {}, badge(entry.status)),
                h('td', {}, entry.reason ? tOr(`reason.${entry.reason}`, entry.reason) : '—'),
                h('td', {}, h('code', { class: 'tx' }, entry.txId)),
              ),
            ),
          ),
        ),
      ),
      h('h4', {}, t('detail.actions')),
      ...actions,
      out,
    );
  } catch (error) {
    clear(host, h('p', { class: 'field-error' }, describeFailure(error)));
  }
}

function licenseTable(key: string, rows: LicenseSummary[], types: LicenseTypeInfo[], detail: HTMLElement): HTMLElement {
  if (rows.length === 0) return h('p', {}, t('list.empty'));
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('list.title') },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('card.licenseId')),
          h('th', {}, t('issue.type')),
          h('th', {}, t('detail.status')),
          h('th', {}, t('card.validity')),
          h('th', {}, t('list.created')),
          h('th', {}, h('span', { class: 'visually-hidden' }, t('detail.actions'))),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) => {
          const open = h('button', { type: 'button', class: 'secondary', 'data-license': row.licenseId }, t('list.open'));
          open.addEventListener('click', () => {
            void detailPanel(key, row.licenseId, detail).then(() => detail.querySelector<HTMLElement>('h3')?.focus());
          });
          return h(
            'tr',
            {},
            h('td', { class: 'mono' }, row.licenseId),
            h('td', {}, typeName(types, row.type)),
            h('td', {}, row.state === 'anchored' ? badge(row.status) : tOr(`state.${row.state}`, row.state)),
            h('td', {}, `${row.validFrom} — ${row.validUntil ?? t('form.longTerm')}`),
            h('td', {}, when(row.createdAt)),
            h('td', {}, open),
          );
        }),
      ),
    ),
  );
}

function licensesSection(key: string, types: LicenseTypeInfo[]): HTMLElement {
  const results = h('div', { id: 'license-results' });
  const detail = h('div', { id: 'license-detail', class: 'card', tabindex: '-1' }, h('p', {}, t('list.pick')));
  detail.addEventListener('focusin', () => undefined);
  const status = statusLine();
  const idNumber = h('input', { id: 'search-id', type: 'text', inputmode: 'text', autocomplete: 'off', 'aria-describedby': 'search-help' });
  const search = h(
    'form',
    { class: 'row', role: 'search' },
    h('label', { for: 'search-id' }, t('list.search')),
    idNumber,
    h('button', { type: 'submit', class: 'primary' }, t('list.searchButton')),
  );
  const recent = h('button', { type: 'button', class: 'secondary', id: 'list-recent' }, t('list.recent'));
  const showRecent = async () => {
    try {
      const { licenses } = await api<{ licenses: LicenseSummary[] }>('GET', '/api/v1/licenses?limit=50', { key });
      clear(results, licenseTable(key, licenses, types, detail));
      status.textContent = t('list.count', { n: licenses.length });
    } catch (error) {
      status.textContent = describeFailure(error);
    }
  };
  recent.addEventListener('click', () => void showRecent());
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = idNumber.value.trim();
    const body = /^\d{17}[\dXx]$/.test(value) ? { idNumber: value } : { creditCode: value };
    api<{ licenses: LicenseSummary[] }>('POST', '/api/v1/licenses/search', { key, body }).then(
      ({ licenses }) => {
        clear(results, licenseTable(key, licenses, types, detail));
        status.textContent = t('list.count', { n: licenses.length });
      },
      (error: unknown) => {
        status.textContent = describeFailure(error);
      },
    );
  });
  void showRecent();
  return h(
    'section',
    { class: 'card', id: 'licenses', 'aria-labelledby': 'licenses-title' },
    h('h2', { id: 'licenses-title' }, t('list.title')),
    search,
    h('p', { class: 'help', id: 'search-help' }, t('list.searchHelp')),
    recent,
    status,
    results,
    detail,
  );
}

mountPage('agency', 'agency.title', (main) => {
  const body = h('div');
  main.append(h('h1', {}, t('agency.title')), body);
  const start = () =>
    signIn<Me>(body, SLOT, 'agency', (key, me) => {
      void api<{ licenseTypes: LicenseTypeInfo[] }>('GET', '/api/v1/license-types').then(({ licenseTypes }) => {
        clear(
          body,
          h('div', { class: 'row' }, h('p', { id: 'signed-in' }, t('agency.signedIn', { name: me.name, id: me.id })), signOutButton(SLOT, start)),
          h(
            'nav',
            { 'aria-label': t('agency.sections') },
            h(
              'ul',
              { class: 'row' },
              h('li', {}, h('a', { href: '#issue' }, t('issue.title'))),
              h('li', {}, h('a', { href: '#licenses' }, t('list.title'))),
              h('li', {}, h('a', { href: '#bulk' }, t('bulk.title'))),
            ),
          ),
          issueSection(key, me, licenseTypes),
          licensesSection(key, licenseTypes),
          bulkSection(key, me.licenseTypes, licenseTypes),
        );
      });
    });
  start();
});
