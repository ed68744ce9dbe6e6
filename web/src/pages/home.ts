/** `/`: what this node is (provinces, ledger, store) and the way to each page. */
import type { NodeDescription } from '../../../core/admin-views';
import { api, describeFailure, h, mountPage, t, tOr, type MessageKey } from '../common';

const LINKS: Array<[string, MessageKey, MessageKey]> = [
  ['/agency', 'nav.agency', 'home.agency'],
  ['/admin', 'nav.admin', 'home.admin'],
  ['/wallet', 'nav.wallet', 'home.wallet'],
  ['/counter', 'nav.counter', 'home.counter'],
];

function nodeFacts(node: NodeDescription): HTMLElement {
  const provinces = node.provinces.map((province) => `${tOr(`province.${province.code}`, province.name)} (${province.code})`).join('、');
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, t('home.provinces')),
    h('dd', { id: 'node-provinces' }, provinces || '—'),
    h('dt', {}, t('home.ledger')),
    h('dd', { id: 'node-ledger' }, t(node.ledger === 'fabric' ? 'home.ledger.fabric' : 'home.ledger.embedded')),
    h('dt', {}, t('home.store')),
    h('dd', { id: 'node-store' }, node.store),
    h('dt', {}, t('home.version')),
    h('dd', {}, node.version),
  );
}

mountPage('home', 'home.title', (main) => {
  const facts = h('section', { class: 'card', 'aria-labelledby': 'node-title' }, h('h2', { id: 'node-title' }, t('home.node')), h('p', {}, t('loading')));
  main.append(
    h('h1', {}, t('home.title')),
    h('p', { class: 'lead' }, t('home.lead')),
    facts,
    h(
      'div',
      { class: 'grid' },
      ...LINKS.map(([href, title, text]) => h('section', { class: 'card' }, h('h2', {}, h('a', { href }, t(title))), h('p', {}, t(text)))),
    ),
  );
  api<NodeDescription>('GET', '/api/v1/node').then(
    (node) => facts.replaceChildren(h('h2', { id: 'node-title' }, t('home.node')), nodeFacts(node)),
    (error: unknown) => facts.append(h('p', { class: 'field-error' }, describeFailure(error))),
  );
});
