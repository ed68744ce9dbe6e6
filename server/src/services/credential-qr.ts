/**
 * A license's credential as a QR code, for the agency that issued it: the QR form
 * (core/credential-qr.ts, `ELC1:` + Base45 of the packed SD-JWT), so the printed card's full
 * form fits version 25 at error correction M. `/verify` takes it as scanned.
 */
import { encodeCredentialQr } from '../../../core/credential-qr';
import type { QrRenderer } from '../ports/qr';
import type { AgencyRow } from '../ports/store';
import type { IssuanceService } from './issuance';

export class CredentialQrService {
  constructor(
    private readonly issuance: Pick<IssuanceService, 'credentialOf'>,
    private readonly qr: QrRenderer,
  ) {}

  async png(agency: AgencyRow, licenseId: string): Promise<Buffer> {
    return this.qr.png(encodeCredentialQr(await this.issuance.credentialOf(agency, licenseId)));
  }

  async svg(agency: AgencyRow, licenseId: string): Promise<string> {
    return this.qr.svg(encodeCredentialQr(await this.issuance.credentialOf(agency, licenseId)));
  }
}
