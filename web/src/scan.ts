/**
 * Reading a QR code: from the camera (getUserMedia, frames decoded by ZXing compiled to
 * WebAssembly, served by this server — nothing fetched from elsewhere) or, as the fallback that
 * always works, from text pasted into a box. Used by the counter and the wallet.
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { h, t } from './common';

let prepared = false;

function prepare(): void {
  if (prepared) return;
  prepared = true;
  // The default would fetch the .wasm from a CDN; ours is served under /static/vendor/.
  prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? '/static/vendor/zxing_reader.wasm' : prefix + path) },
  });
}

export interface Scanner {
  element: HTMLElement;
  stop(): void;
}

/**
 * A camera view that calls `onText` with the first QR code it reads, then stops; and a paste box
 * that does the same with what is typed. `label` names what is being scanned.
 */
export function scanner(prefix: string, label: string, onText: (text: string) => void): Scanner {
  const video = h('video', { id: `${prefix}-video`, class: 'camera hidden', playsinline: true, muted: true, 'aria-label': label });
  const note = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const start = h('button', { type: 'button', class: 'primary', id: `${prefix}-camera` }, t('scan.camera'));
  const paste = h('textarea', { id: `${prefix}-paste`, rows: 3, spellcheck: 'false', autocomplete: 'off' });
  const use = h('button', { type: 'button', class: 'secondary', id: `${prefix}-use` }, t('scan.use'));
  let stream: MediaStream | null = null;
  let timer = 0;
  const stop = () => {
    window.clearTimeout(timer);
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    video.classList.add('hidden');
  };
  const canvas = document.createElement('canvas');
  const tick = async () => {
    if (!stream) return;
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      context?.drawImage(video, 0, 0);
      const image = context?.getImageData(0, 0, canvas.width, canvas.height);
      const found = image ? (await readBarcodes(image, { formats: ['QRCode'], tryHarder: true })).find((result) => result.isValid && result.text) : undefined;
      if (found) {
        stop();
        note.textContent = t('scan.read');
        onText(found.text);
        return;
      }
    }
    timer = window.setTimeout(() => void tick(), 250);
  };
  start.addEventListener('click', () => {
    prepare();
    note.textContent = t('scan.starting');
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (media) => {
        stream = media;
        video.srcObject = media;
        video.classList.remove('hidden');
        await video.play();
        note.textContent = t('scan.looking');
        void tick();
      })
      .catch(() => {
        note.textContent = t('scan.noCamera');
      });
  });
  use.addEventListener('click', () => {
    const text = paste.value.trim();
    if (text) onText(text);
  });
  const element = h(
    'div',
    { class: 'scanner' },
    h('div', { class: 'row' }, start),
    video,
    note,
    h('label', { for: `${prefix}-paste` }, t('scan.paste')),
    paste,
    h('div', { class: 'row' }, use),
  );
  return { element, stop };
}
