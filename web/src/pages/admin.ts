/**
 * `/admin`: province administration with a province admin API key. Agencies (register, suspend,
 * reinstate, the types they may issue, rotate the signing key), counters and their services, API
 * keys (issue — the token is shown once —, list, revoke). Every ledger change shows its
 * transaction id; every destructive step asks inline first.
 */
import type { AgencyView, ApiKeyView, CounterService, CounterView } from '../../../core/admin-views';
import { api, clear, confirmInline, currentLang, describeFailure, h, mountPage, signIn, signOutButton, statusLine, t, tOr, txLink, when } from '../common';

interface Me {
  kind: 'admin';
  province: string;
}

interface TypeInfo {
  id: string;
  names: { zh: string; en: string };
}

interface Context {
  key: string;
  me: Me;
  types: TypeInfo[];
  /** One status line for the page, above the sections, so a redraw never wipes what a change reported. */
  out: HTMLElement;
  /** Redraws every section after a change (agencies feed the key form's choices). */
  refresh: () => void;
}

const SLOT = 'adminKey';

function typeName(ctx: Context, id: string): string {
  const type = ctx.types.find((candidate) => candidate.id === id);
  return type ? (currentLang() === 'en' ? type.names.en : type.names.zh) : id;
}

function typeChecks(ctx: Context, prefix: string, checked: string[]): { element: HTMLElement; value: () => string[] } {
  const boxes = ctx.types.map((type) => {
    const box = h('input', { type: 'checkbox', id: `${prefix}-${type.id}`, value: type.id, checked: checked.includes(type.id) });
    return { box, label: h('label', { class: 'check', for: `${prefix}-${type.id}` }, box, typeName(ctx, type.id)) };
  });
  return {
    element: h('fieldset', {}, h('legend', {}, t('admin.types')), ...boxes.map((item) => item.label)),
    value: () => boxes.filter((item) => item.box.checked).map((item) => item.box.value),
  };
}

function changed(out: HTMLElement, answer: { txId?: string }, message: string): void {
  clear(out, message, ' ', answer.txId ? h('span', {}, t('admin.tx'), ' ', h('code', { class: 'tx', 'data-tx': answer.txId }, answer.txId)) : '');
}

function agencyActions(ctx: Context, agency: AgencyView, out: HTMLElement): HTMLElement {
  const host = h('div', { class: 'row' });
  const suspended = agency.status === 'suspended';
  const toggle = h('button', { type: 'button', class: suspended ? 'secondary' : 'danger' }, t(suspended ? 'admin.reinstate' : 'admin.suspend'));
  toggle.addEventListener('click', () =>
    confirmInline(host, t(suspended ? 'admin.confirmReinstate' : 'admin.confirmSuspend', { id: agency.id }), t('action.confirm'), async () => {
      try {
        const answer = await api<AgencyView & { txId: string }>('POST', `/api/v1/admin/agencies/${agency.id}`, {
          key: ctx.key,
          body: { status: suspended ? 'active' : 'suspended' },
        });
        changed(out, answer, t('admin.agencyChanged', { id: agency.id }));
        ctx.refresh();
      } catch (error) {
        out.textContent = describeFailure(error);
      }
    }),
  );
  const rotate = h('button', { type: 'button', class: 'secondary' }, t('admin.rotate'));
  rotate.addEventListener('click', () =>
    confirmInline(host, t('admin.confirmRotate', { id: agency.id }), t('action.confirm'), async () => {
      try {
        const answer = await api<AgencyView & { txId: string }>('POST', `/api/v1/admin/agencies/${agency.id}/rotate-key`, { key: ctx.key });
        changed(out, answer, t('admin.rotated', { id: agency.id }));
        ctx.refresh();
      } catch (error) {
        out.textContent = describeFailure(error);
      }
    }),
  );
  const types = typeChecks(ctx, `types-${agency.id}`, agency.licenseTypes);
  const save = h('button', { type: 'button', class: 'secondary' }, t('admin.saveTypes'));
  save.addEventListener('click', () => {
    api<AgencyView & { txId: string }>('POST', `/api/v1/admin/agencies/${agency.id}`, { key: ctx.key, body: { licenseTypes: types.value() } }).then(
      (answer) => {
        changed(out, answer, t('admin.agencyChanged', { id: agency.id }));
        ctx.refresh();
      },
      (error: unknown) => {
        out.textContent = describeFailure(error);
      },
    );
  });
  host.append(toggle, rotate);
  return h('details', {}, h('summary', {}, t('admin.manage', { id: agency.id })), host, types.element, save);
}

async function agenciesSection(ctx: Context, section: HTMLElement): Promise<AgencyView[]> {
  const out = ctx.out;
  const { agencies } = await api<{ agencies: AgencyView[] }>('GET', '/api/v1/admin/agencies', { key: ctx.key });
  const id = h('input', {
    id: 'agency-id',
    type: 'text',
    autocomplete: 'off',
    required: true,
    pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{2,63}',
    'aria-describedby': 'agency-id-help',
  });
  const name = h('input', { id: 'agency-name', type: 'text', autocomplete: 'off', required: true });
  const types = typeChecks(ctx, 'new-agency', []);
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'agency-new-title' },
    h('h3', { id: 'agency-new-title' }, t('admin.newAgency')),
    h('label', { for: 'agency-id' }, t('admin.agencyId')),
    id,
    h('p', { class: 'help', id: 'agency-id-help' }, t('admin.idHelp')),
    h('label', { for: 'agency-name' }, t('admin.agencyName')),
    name,
    types.element,
    h('button', { type: 'submit', class: 'primary', id: 'agency-create' }, t('admin.register')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    out.textContent = t('admin.working');
    api<AgencyView & { txId: string }>('POST', '/api/v1/admin/agencies', {
      key: ctx.key,
      body: { id: id.value.trim(), name: name.value.trim(), licenseTypes: types.value() },
    }).then(
      (answer) => {
        ctx.refresh();
        changed(out, answer, t('admin.agencyCreated', { id: answer.id }));
      },
      (error: unknown) => {
        out.textContent = describeFailure(error);
      },
    );
  });
  clear(
    section,
    h('h2', { id: 'agencies-title' }, t('admin.agencies')),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('admin.agencies') },
      h(
        'table',
        { id: 'agency-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('admin.agencyId')),
            h('th', {}, t('admin.agencyName')),
            h('th', {}, t('detail.status')),
            h('th', {}, t('admin.types')),
            h('th', {}, t('admin.keys')),
          ),
        ),
        h(
          'tbody',
          {},
          ...agencies.map((agency) =>
            h(
              'tr',
              { 'data-agency': agency.id },
              h('td', { class: 'mono' }, agency.id),
              h('td', {}, agency.name, agencyActions(ctx, agency, out)),
              h('td', {}, h('span', { class: `badge ${agency.status}` }, tOr(`status.${agency.status}`, agency.status))),
              h('td', {}, agency.licenseTypes.map((type) => typeName(ctx, type)).join('、')),
              h(
                'td',
                {},
                t('admin.keyCount', {
                  active: agency.keys.filter((key) => key.status === 'active').length,
                  retired: agency.keys.filter((key) => key.status === 'retired').length,
                }),
                h('br'),
                t('admin.lastTx'),
                ' ',
                txLink(agency.updatedTxId),
              ),
            ),
          ),
        ),
      ),
    ),
    form,
  );
  return agencies;
}

async function countersSection(ctx: Context, section: HTMLElement): Promise<CounterView[]> {
  const out = ctx.out;
  const { counters } = await api<{ counters: CounterView[] }>('GET', '/api/v1/admin/counters', { key: ctx.key });
  const field = (id: string, label: string, attrs: Record<string, string | boolean> = {}) => {
    const input = h('input', { id, type: 'text', autocomplete: 'off', ...attrs });
    return { input, parts: [h('label', { for: id }, label), input] };
  };
  const id = field('counter-id', t('admin.counterId'), { required: true });
  const name = field('counter-name', t('admin.counterName'), { required: true });
  const serviceId = field('service-id', t('admin.serviceId'));
  const serviceZh = field('service-zh', t('admin.serviceZh'));
  const serviceEn = field('service-en', t('admin.serviceEn'));
  const claims = field('service-claims', t('admin.serviceClaims'), { 'aria-describedby': 'service-claims-help' });
  const serviceType = h('select', { id: 'service-type' }, ...ctx.types.map((type) => h('option', { value: type.id }, typeName(ctx, type.id))));
  const unbound = h('input', { type: 'checkbox', id: 'service-unbound' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'counter-new-title' },
    h('h3', { id: 'counter-new-title' }, t('admin.newCounter')),
    ...id.parts,
    ...name.parts,
    h(
      'fieldset',
      {},
      h('legend', {}, t('admin.service')),
      ...serviceId.parts,
      ...serviceZh.parts,
      ...serviceEn.parts,
      h('label', { for: 'service-type' }, t('issue.type')),
      serviceType,
      ...claims.parts,
      h('p', { class: 'help', id: 'service-claims-help' }, t('admin.claimsHelp')),
      h('label', { class: 'check', for: 'service-unbound' }, unbound, t('admin.acceptUnbound')),
    ),
    h('button', { type: 'submit', class: 'primary', id: 'counter-create' }, t('admin.saveCounter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const services: CounterService[] = [];
    if (serviceId.input.value.trim()) {
      services.push({
        id: serviceId.input.value.trim(),
        names: { zh: serviceZh.input.value.trim(), en: serviceEn.input.value.trim() },
        licenseType: serviceType.value,
        claims: claims.input.value
          .split(/[,，\s]+/)
          .map((claim) => claim.trim())
          .filter(Boolean),
        acceptsUnbound: unbound.checked,
      });
    }
    api<CounterView>('POST', '/api/v1/admin/counters', { key: ctx.key, body: { id: id.input.value.trim(), name: name.input.value.trim(), services } }).then(
      (saved) => {
        ctx.refresh();
        out.textContent = t('admin.counterSaved', { id: saved.id });
      },
      (error: unknown) => {
        out.textContent = describeFailure(error);
      },
    );
  });
  const serviceName = (service: CounterService) => (currentLang() === 'en' ? service.names.en : service.names.zh);
  const serviceText = (service: CounterService) => `${serviceName(service)} (${typeName(ctx, service.licenseType)}: ${service.claims.join(', ')})`;
  const serviceItem = (counter: CounterView, service: CounterService) => {
    const names = { service: serviceName(service), counter: counter.id };
    const actions = h('div', { class: 'row' });
    const remove = h(
      'button',
      { type: 'button', class: 'danger', 'data-delete-service': service.id, 'aria-label': t('admin.deleteServiceLabel', names) },
      t('admin.deleteService'),
    );
    remove.addEventListener('click', () =>
      confirmInline(actions, t('admin.confirmDeleteService', names), t('action.confirm'), async () => {
        try {
          await api('DELETE', `/api/v1/admin/counters/${encodeURIComponent(counter.id)}/services/${encodeURIComponent(service.id)}`, { key: ctx.key });
          out.textContent = t('admin.serviceDeleted', names);
          ctx.refresh();
        } catch (error) {
          out.textContent = describeFailure(error);
        }
      }),
    );
    actions.append(remove);
    return h('li', { 'data-service': service.id }, serviceText(service), actions);
  };
  clear(
    section,
    h('h2', {}, t('admin.counters')),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('admin.counters') },
      h(
        'table',
        { id: 'counter-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('admin.counterId')), h('th', {}, t('admin.counterName')), h('th', {}, t('admin.services')))),
        h(
          'tbody',
          {},
          ...counters.map((counter) =>
            h(
              'tr',
              { 'data-counter': counter.id },
              h('td', { class: 'mono' }, counter.id),
              h('td', {}, counter.name),
              h(
                'td',
                {},
                counter.services.length > 0 ? h('ul', { class: 'services' }, ...counter.services.map((service) => serviceItem(counter, service))) : '—',
              ),
            ),
          ),
        ),
      ),
    ),
    form,
  );
  return counters;
}

function keysSection(ctx: Context, section: HTMLElement, agencies: AgencyView[], counters: CounterView[]): Promise<void> {
  const out = ctx.out;
  const secret = h('div', { id: 'new-key', 'aria-live': 'polite' });
  const kind = h('select', { id: 'key-kind' }, ...(['agency', 'counter', 'admin'] as const).map((value) => h('option', { value }, t(`admin.kind.${value}`))));
  const principal = h('select', { id: 'key-principal' });
  const fillPrincipals = () => {
    const options =
      kind.value === 'agency'
        ? agencies.map((agency) => [agency.id, agency.name])
        : kind.value === 'counter'
          ? counters.map((counter) => [counter.id, counter.name])
          : [[ctx.me.province, ctx.me.province]];
    clear(principal, ...options.map(([value = '', label = '']) => h('option', { value }, `${label} (${value})`)));
  };
  kind.addEventListener('change', fillPrincipals);
  fillPrincipals();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'key-new-title' },
    h('h3', { id: 'key-new-title' }, t('admin.newKey')),
    h('label', { for: 'key-kind' }, t('admin.keyKind')),
    kind,
    h('label', { for: 'key-principal' }, t('admin.keyFor')),
    principal,
    h('button', { type: 'submit', class: 'primary', id: 'key-issue' }, t('admin.issueKey')),
    secret,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api<ApiKeyView & { token: string }>('POST', '/api/v1/admin/api-keys', { key: ctx.key, body: { kind: kind.value, principalId: principal.value } }).then(
      (issued) => {
        clear(secret, h('p', {}, t('admin.keyOnce')), h('p', { class: 'secret mono', id: 'new-key-token' }, issued.token));
        void drawTable();
      },
      (error: unknown) => {
        out.textContent = describeFailure(error);
      },
    );
  });
  const table = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('admin.apiKeys') });
  const drawTable = async () => {
    const { apiKeys } = await api<{ apiKeys: ApiKeyView[] }>('GET', '/api/v1/admin/api-keys', { key: ctx.key });
    clear(
      table,
      h(
        'table',
        { id: 'key-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('admin.keyId')),
            h('th', {}, t('admin.keyKind')),
            h('th', {}, t('admin.keyFor')),
            h('th', {}, t('list.created')),
            h('th', {}, t('detail.status')),
          ),
        ),
        h(
          'tbody',
          {},
          ...apiKeys.map((row) => {
            const cell = h('td', {});
            if (row.revokedAt) cell.append(h('span', { class: 'badge revoked' }, t('admin.revokedAt', { at: when(row.revokedAt) })));
            else {
              const revoke = h('button', { type: 'button', class: 'danger', 'data-revoke': row.id }, t('admin.revoke'));
              revoke.addEventListener('click', () =>
                confirmInline(cell, t('admin.confirmRevoke', { id: row.id }), t('action.confirm'), async () => {
                  try {
                    await api('POST', `/api/v1/admin/api-keys/${row.id}/revoke`, { key: ctx.key });
                    out.textContent = t('admin.revoked', { id: row.id });
                    void drawTable();
                  } catch (error) {
                    out.textContent = describeFailure(error);
                  }
                }),
              );
              cell.append(h('span', { class: 'badge active' }, t('status.active')), ' ', revoke);
            }
            return h(
              'tr',
              {},
              h('td', { class: 'mono' }, row.id),
              h('td', {}, t(`admin.kind.${row.kind}`)),
              h('td', {}, row.principalId),
              h('td', {}, when(row.createdAt)),
              cell,
            );
          }),
        ),
      ),
    );
  };
  clear(section, h('h2', {}, t('admin.apiKeys')), table, form);
  return drawTable();
}

mountPage('admin', 'admin.title', (main) => {
  const body = h('div');
  main.append(h('h1', {}, t('admin.title')), body);
  const start = () =>
    signIn<Me>(body, SLOT, 'admin', (key, me) => {
      const agencies = h('section', { class: 'card', id: 'agencies', 'aria-labelledby': 'agencies-title' });
      const counters = h('section', { class: 'card', id: 'counters' });
      const keys = h('section', { class: 'card', id: 'keys' });
      void api<{ licenseTypes: TypeInfo[] }>('GET', '/api/v1/license-types').then(({ licenseTypes }) => {
        const ctx: Context = {
          key,
          me,
          types: licenseTypes,
          out: statusLine(),
          refresh: () => {
            void Promise.all([agenciesSection(ctx, agencies), countersSection(ctx, counters)]).then(([a, c]) => keysSection(ctx, keys, a, c));
          },
        };
        clear(
          body,
          h(
            'div',
            { class: 'row' },
            h('p', { id: 'signed-in' }, t('admin.signedIn', { province: tOr(`province.${me.province}`, me.province) })),
            signOutButton(SLOT, start),
          ),
          ctx.out,
          agencies,
          counters,
          keys,
        );
        ctx.refresh();
      });
    });
  start();
});
