/**
 * QR codes with the `qrcode` package. Error correction M (15% of codewords recoverable) is the
 * usual choice for codes shown on a phone screen: glare and scratches cost less than L would
 * risk, and the symbol stays smaller than with Q or H.
 */
import QRCode from 'qrcode';
import type { QrRenderer } from '../../ports/qr';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

export class QrCodeRenderer implements QrRenderer {
  png(text: string): Promise<Buffer> {
    return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: 4 });
  }

  svg(text: string): Promise<string> {
    return QRCode.toString(text, { ...OPTIONS, type: 'svg' });
  }
}
