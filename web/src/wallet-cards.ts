/**
 * The wallet page's license cards: each license with its Type Metadata labels, its status as the
 * registry sees it now, and "show" — the holder QR (EL1) that expires after 60 s, with the list of
 * what it discloses (the name unless the holder ticks more).
 */
import QRCode from 'qrcode';
import type { ClaimPath, ClaimView, CredentialView, HolderQr, Wallet } from '../wallet/index';
import { joinClaimPath } from '../../core/presentation/claim-paths';
import { DEFAULT_HOLDER_SHOWN_CLAIMS } from '../wallet/index';
import { clear, currentLang, describeFailure, h, statusLine, t, when } from './common';

/** The registry that issued a credential: the part of its issuer URL before `/issuers/`, else this origin. */
export function registryOf(issuer: string): string {
  const at = issuer.lastIndexOf('/issuers/');
  return at < 0 ? location.origin : issuer.slice(0, at);
}

function claimText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function claimList(claims: ClaimView[]): HTMLElement {
  return h('dl', { class: 'facts' }, ...claims.flatMap((claim) => [h('dt', {}, claim.label), h('dd', {}, claimText(claim.value))]));
}

/** The public status (GET /api/v1/licenses/:id/status): a notice when the license is no longer active. */
async function statusNotice(view: CredentialView, host: HTMLElement): Promise<void> {
  try {
    const response = await fetch(`${registryOf(view.issuer)}/api/v1/licenses/${encodeURIComponent(view.licenseId)}/status`, { cache: 'no-store' });
    if (!response.ok) return;
    const status = (await response.json()) as { active?: boolean; status?: string };
    if (status.active === false || (status.status !== undefined && status.status !== 'active')) {
      clear(host, h('p', { class: 'badge invalid', 'data-status': 'inactive' }, t('wallet.statusChanged')));
    } else clear(host, h('p', { class: 'badge active', 'data-status': 'active' }, t('wallet.statusActive')));
  } catch {
    // Offline: the card still shows; the status is checked again next time.
  }
}

/** Ticks for each claim the holder may disclose; the name is ticked by default. */
async function disclosureTicks(wallet: Wallet, view: CredentialView): Promise<{ element: HTMLElement; chosen: () => ClaimPath[] }> {
  const plan = await wallet.disclosurePlan(
    view.id,
    DEFAULT_HOLDER_SHOWN_CLAIMS.map((path) => [...path]),
    currentLang(),
  );
  const boxes = [...plan.disclosed, ...plan.withheld].map((claim, index) => {
    const id = `disclose-${view.id.slice(0, 8)}-${String(index)}`;
    const box = h('input', { type: 'checkbox', id, 'data-claim': joinClaimPath(claim.path), checked: plan.disclosed.includes(claim) });
    return { claim, box, label: h('label', { class: 'check', for: id }, box, claim.label) };
  });
  return {
    element: h('fieldset', {}, h('legend', {}, t('wallet.discloseWhat')), ...boxes.map((item) => item.label)),
    chosen: () => boxes.filter((item) => item.box.checked).map((item) => item.claim.path),
  };
}

/** The QR, its countdown and what it discloses; past 60 s it says so and offers a fresh one. */
function holderQrView(qr: HolderQr, dataUrl: string, labels: string[], again: () => void): HTMLElement {
  const left = h('p', { class: 'status', id: 'holder-qr-countdown', role: 'timer', 'aria-live': 'off' });
  const refresh = h('button', { type: 'button', class: 'primary', id: 'holder-qr-refresh' }, t('wallet.refresh'));
  refresh.addEventListener('click', again);
  const image = h('img', { src: dataUrl, alt: t('wallet.qrAlt'), class: 'qr', id: 'holder-qr', 'data-text': qr.text });
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((qr.expiresAt.getTime() - Date.now()) / 1000));
    left.textContent = seconds > 0 ? t('wallet.expiresIn', { seconds }) : t('wallet.expired');
    image.classList.toggle('expired', seconds === 0);
    if (seconds > 0 && image.isConnected) window.setTimeout(tick, 1000);
  };
  tick();
  return h(
    'div',
    { class: 'holder-qr' },
    image,
    left,
    h('p', {}, t('wallet.discloses')),
    h('ul', { id: 'holder-qr-discloses' }, ...labels.map((label) => h('li', {}, label))),
    refresh,
  );
}

async function showQr(wallet: Wallet, view: CredentialView, chosen: ClaimPath[], host: HTMLElement, again: () => void): Promise<void> {
  const qr = await wallet.createHolderQr(view.id, chosen);
  const dataUrl = await QRCode.toDataURL(qr.text, { errorCorrectionLevel: 'M', margin: 4, scale: 4 });
  const labels = qr.disclosed.map((path) => view.claims.find((claim) => joinClaimPath(claim.path) === joinClaimPath(path))?.label ?? joinClaimPath(path));
  clear(host, holderQrView(qr, dataUrl, labels, again));
}

export function licenseCard(wallet: Wallet, view: CredentialView): HTMLElement {
  const status = h('div', { class: 'license-status' });
  const shown = h('div', { class: 'shown' });
  const out = statusLine();
  const ticksHost = h('div');
  const show = h('button', { type: 'button', class: 'primary', 'data-show': view.licenseId }, t('wallet.show'));
  let chosen: () => ClaimPath[] = () => DEFAULT_HOLDER_SHOWN_CLAIMS.map((path) => [...path]);
  void disclosureTicks(wallet, view).then((ticks) => {
    chosen = ticks.chosen;
    clear(ticksHost, ticks.element);
  });
  const draw = () => {
    showQr(wallet, view, chosen(), shown, draw).then(
      () => {
        out.textContent = '';
      },
      (error: unknown) => {
        out.textContent = describeFailure(error);
      },
    );
  };
  show.addEventListener('click', draw);
  void statusNotice(view, status);
  return h(
    'article',
    { class: 'card license', 'data-license': view.licenseId, 'aria-label': view.name },
    h('h3', {}, view.name),
    status,
    claimList(view.claims),
    h('p', { class: 'help' }, t('wallet.validity', { from: when(view.validFrom), until: view.validUntil ? when(view.validUntil) : t('wallet.longTerm') })),
    ticksHost,
    show,
    out,
    shown,
  );
}
