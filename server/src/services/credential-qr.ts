/** A license's credential as a QR code, for the agency that issued it. */
import type { QrRenderer } from '../ports/qr';
import type { AgencyRow } from '../ports/store';
import type { IssuanceService } from './issuance';

export class CredentialQrService {
  constructor(
    private readonly issuance: Pick<IssuanceService, 'credentialOf'>,
    private readonly qr: QrRenderer,
  ) {}

  async png(agency: AgencyRow, licenseId: string): Promise<Buffer> {
    return this.qr.png(await this.issuance.credentialOf(agency, licenseId));
  }

  async svg(agency: AgencyRow, licenseId: string): Promise<string> {
    return this.qr.svg(await this.issuance.credentialOf(agency, licenseId));
  }
}
