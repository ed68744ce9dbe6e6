/**
 * `/wallet`: the citizen's wallet, an installable web app (manifest + service worker: it opens and
 * shows licenses offline). The credential logic is the one wallet module (web/wallet/) over
 * IndexedDB: add a license (the offer from the agency + the PIN told separately), show it as a
 * 60-second QR code disclosing the name unless more is ticked, answer a counter's request QR after
 * approving, and read the receipts of where it was used, rating each service.
 */
import { IndexedDbWalletStorage } from '../../wallet/storage-indexeddb';
import { Wallet } from '../../wallet/index';
import { clear, currentLang, h, mountPage, statusLine, t } from '../common';
import { scanner } from '../scan';
import { licenseCard } from '../wallet-cards';
import { answerCounter, receiptsList } from '../wallet-service';

function registerServiceWorker(): void {
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function addForm(wallet: Wallet, added: () => void): HTMLElement {
  const out = statusLine();
  const offer = h('textarea', { id: 'offer-text', rows: 3, spellcheck: 'false', autocomplete: 'off', required: true });
  const pin = h('input', { id: 'offer-pin-input', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', 'aria-describedby': 'offer-pin-help' });
  const form = h(
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
    h('button', { type: 'submit', class: 'primary', id: 'offer-add' }, t('wallet.addButton')),
    out,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    out.textContent = t('wallet.adding');
    wallet.redeemOffer(offer.value.trim(), pin.value.trim() || undefined).then(
      () => {
        out.textContent = t('wallet.added');
        offer.value = '';
        pin.value = '';
        added();
      },
      (error: unknown) => {
        out.textContent = t('wallet.addFailed', { detail: failure(error) });
      },
    );
  });
  return form;
}

async function renderCards(wallet: Wallet, host: HTMLElement): Promise<void> {
  const views = await wallet.listCredentials(currentLang());
  clear(host, ...(views.length === 0 ? [h('p', {}, t('wallet.empty'))] : views.map((view) => licenseCard(wallet, view))));
}

function renderReceipts(wallet: Wallet, host: HTMLElement): void {
  receiptsList(wallet).then(
    (list) => {
      clear(host, list);
    },
    () => {
      clear(host, h('p', {}, t('wallet.receiptsOffline')));
    },
  );
}

function sections(wallet: Wallet, main: HTMLElement): void {
  const cards = h('div', { id: 'card-list' });
  const receipts = h('div', { id: 'receipt-host' });
  const answer = h('div', { id: 'answer' });
  const refresh = () => {
    void renderCards(wallet, cards);
    renderReceipts(wallet, receipts);
  };
  main.append(
    h('section', { class: 'card', id: 'cards', 'aria-labelledby': 'cards-title' }, h('h2', { id: 'cards-title' }, t('wallet.cards')), cards),
    addForm(wallet, refresh),
    h(
      'section',
      { class: 'card', id: 'present', 'aria-labelledby': 'present-title' },
      h('h2', { id: 'present-title' }, t('wallet.scanCounter')),
      h('p', {}, t('wallet.scanCounterHelp')),
      scanner('request-scan', t('wallet.scanCounter'), (uri) => {
        answerCounter(wallet, uri, answer, () => {
          renderReceipts(wallet, receipts);
        });
      }).element,
      answer,
    ),
    h('section', { class: 'card', id: 'receipts', 'aria-labelledby': 'receipts-title' }, h('h2', { id: 'receipts-title' }, t('wallet.receipts')), receipts),
  );
  refresh();
}

let opened: Promise<Wallet> | null = null;

mountPage('wallet', 'wallet.title', (main) => {
  registerServiceWorker();
  main.append(h('h1', {}, t('wallet.title')));
  opened ??= IndexedDbWalletStorage.open().then((storage) => new Wallet({ storage }));
  opened.then(
    (wallet) => {
      sections(wallet, main);
    },
    (error: unknown) => {
      main.append(h('p', { class: 'status', role: 'status' }, t('wallet.noStorage', { detail: failure(error) })));
    },
  );
});
