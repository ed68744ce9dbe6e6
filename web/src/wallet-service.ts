/**
 * The wallet page at a counter: answering a counter's request QR (OpenID4VP through the Wallet —
 * the holder sees the counter's name and province and each claim asked, and approves or declines
 * before anything is sent), and the receipts a registry keeps of where the license was used, each
 * with a 1–5 rating (好差评) of the service.
 */
import { joinClaimPath } from '../../core/presentation/claim-paths';
import type { DcqlMatch, Receipt, VerifierRequest, Wallet } from '../wallet/index';
import { clear, currentLang, h, statusLine, t, tOr, when } from './common';
import { registryOf } from './wallet-cards';

/** Shows who asks for what and resolves true (approve) or false (decline) when the holder taps. */
function approval(wallet: Wallet, host: HTMLElement, request: VerifierRequest, match: DcqlMatch): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'primary', id: 'approve' }, t('wallet.approve'));
    const no = h('button', { type: 'button', class: 'secondary', id: 'decline' }, t('wallet.decline'));
    const asked = h('ul', { id: 'asked' });
    void wallet.disclosurePlan(match.credentialId, match.claims, currentLang()).then((plan) => {
      clear(asked, ...plan.disclosed.map((claim) => h('li', { 'data-claim': joinClaimPath(claim.path) }, claim.label)));
    });
    const province = request.verifier.province ?? '';
    const question = h(
      'div',
      { class: 'confirm', role: 'group', 'aria-labelledby': 'asker' },
      h(
        'p',
        { class: 'confirm-question', id: 'asker', tabindex: '-1' },
        t('wallet.asks', { name: request.verifier.name ?? request.clientId, province: tOr(`province.${province}`, province) }),
      ),
      asked,
      h('div', { class: 'row' }, yes, no),
    );
    yes.addEventListener('click', () => {
      resolve(true);
    });
    no.addEventListener('click', () => {
      resolve(false);
    });
    clear(host, question);
    question.querySelector<HTMLElement>('#asker')?.focus();
  });
}

/** Answers the scanned `openid4vp://` URI; `done` runs after an answer so receipts refresh. */
export function answerCounter(wallet: Wallet, uri: string, host: HTMLElement, done: () => void): void {
  const out = statusLine();
  const ask = h('div');
  clear(host, ask, out);
  out.textContent = t('wallet.reading');
  // The request is read once the holder is asked: the question replaces the "reading" line.
  const approve = (request: VerifierRequest, match: DcqlMatch) => {
    out.textContent = '';
    return approval(wallet, ask, request, match);
  };
  wallet.answerRequest(uri, { approve }).then(
    (outcome) => {
      clear(ask);
      if (outcome.answered) out.textContent = outcome.status < 300 ? t('wallet.answered') : t('wallet.answerRefused', { status: outcome.status });
      else out.textContent = outcome.reason === 'declined' ? t('wallet.declined') : t('wallet.noMatch');
      out.dataset.outcome = outcome.answered ? 'answered' : outcome.reason;
      done();
    },
    (error: unknown) => {
      clear(ask);
      out.textContent = t('wallet.answerFailed', { detail: error instanceof Error ? error.message : String(error) });
    },
  );
}

function ratingForm(wallet: Wallet, credentialId: string, base: string, receipt: Receipt): HTMLElement {
  const out = statusLine();
  const name = `rate-${receipt.id}`;
  const radios = [1, 2, 3, 4, 5].map((score) => {
    const id = `${name}-${String(score)}`;
    const radio = h('input', { type: 'radio', name, id, value: String(score) });
    return { radio, label: h('label', { class: 'check', for: id }, radio, t('wallet.score', { score })) };
  });
  const submit = h('button', { type: 'submit', class: 'secondary' }, t('wallet.rate'));
  const form = h(
    'form',
    { class: 'rating', 'data-receipt': receipt.id },
    h('fieldset', {}, h('legend', {}, t('wallet.rateHelp')), ...radios.map((r) => r.label)),
    submit,
    out,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const score = Number(radios.find((r) => r.radio.checked)?.radio.value ?? 0);
    if (score === 0) {
      out.textContent = t('wallet.pickScore');
      return;
    }
    void wallet.rateService(credentialId, base, { receipt: receipt.id, score }).then((status) => {
      out.textContent = status === 201 ? t('wallet.rated') : status === 409 ? t('wallet.alreadyRated') : t('wallet.rateFailed', { status });
    });
  });
  return form;
}

function receiptItem(wallet: Wallet, credentialId: string, base: string, receipt: Receipt): HTMLElement {
  const province = tOr(`province.${receipt.counter.province}`, receipt.counter.province);
  return h(
    'li',
    { class: 'receipt', 'data-receipt': receipt.id },
    h('p', {}, t('wallet.receipt', { counter: receipt.counter.name ?? receipt.counter.id, province, at: when(receipt.at) })),
    h(
      'p',
      {},
      t('wallet.receiptClaims', {
        claims: receipt.claims.map((claim) => tOr(`claim.${claim}`, claim)).join('、'),
        verdict: tOr(`verdict.${receipt.verdict}`, receipt.verdict),
      }),
    ),
    ratingForm(wallet, credentialId, base, receipt),
  );
}

/** Every held license's receipts, from the registry that issued it. */
export async function receiptsList(wallet: Wallet): Promise<HTMLElement> {
  const items: HTMLElement[] = [];
  for (const view of await wallet.listCredentials(currentLang())) {
    const base = registryOf(view.issuer);
    const receipts = await wallet.fetchReceipts(view.id, base);
    items.push(...receipts.map((receipt) => receiptItem(wallet, view.id, base, receipt)));
  }
  return items.length === 0 ? h('p', {}, t('wallet.noReceipts')) : h('ul', { class: 'receipts', id: 'receipt-list' }, ...items);
}
