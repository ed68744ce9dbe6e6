/**
 * `/wallet`: the citizen's wallet, an installable web app (manifest + service worker: it opens and
 * shows licenses offline). Its sections: my licenses, add a license (offer + PIN), scan a
 * counter's code, receipts. The credential logic (keys, offers, presentations) is the wallet
 * module (web/wallet/) of the OpenID4VCI / presentations work; until it is on this branch the
 * flows say plainly that they are not available yet.
 */
import { h, mountPage, statusLine, t } from '../common';
import { scanner } from '../scan';

function registerServiceWorker(): void {
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}

mountPage('wallet', 'wallet.title', (main) => {
  registerServiceWorker();
  const addOut = statusLine();
  const offer = h('textarea', { id: 'offer-text', rows: 3, spellcheck: 'false', autocomplete: 'off' });
  const pin = h('input', { id: 'offer-pin-input', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', 'aria-describedby': 'offer-pin-help' });
  const addForm = h(
    'form',
    { class: 'card', id: 'add', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, t('wallet.add')),
    h('p', {}, t('wallet.addHelp')),
    scanner('offer-scan', t('wallet.scanOffer'), (text) => {
      offer.value = text;
      pin.focus();
    }).element,
    h('label', { for: 'offer-text' }, t('wallet.offer')),
    offer,
    h('label', { for: 'offer-pin-input' }, t('wallet.pin')),
    pin,
    h('p', { class: 'help', id: 'offer-pin-help' }, t('wallet.pinHelp')),
    h('button', { type: 'submit', class: 'primary' }, t('wallet.addButton')),
    addOut,
  );
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    addOut.textContent = t('wallet.notYet');
  });
  const presentOut = statusLine();
  main.append(
    h('h1', {}, t('wallet.title')),
    h(
      'section',
      { class: 'card', id: 'cards', 'aria-labelledby': 'cards-title' },
      h('h2', { id: 'cards-title' }, t('wallet.cards')),
      h('p', {}, t('wallet.empty')),
    ),
    addForm,
    h(
      'section',
      { class: 'card', id: 'present', 'aria-labelledby': 'present-title' },
      h('h2', { id: 'present-title' }, t('wallet.scanCounter')),
      h('p', {}, t('wallet.scanCounterHelp')),
      scanner('request-scan', t('wallet.scanCounter'), () => {
        presentOut.textContent = t('wallet.notYet');
      }).element,
      presentOut,
    ),
    h(
      'section',
      { class: 'card', id: 'receipts', 'aria-labelledby': 'receipts-title' },
      h('h2', { id: 'receipts-title' }, t('wallet.receipts')),
      h('p', {}, t('wallet.noReceipts')),
    ),
  );
});
