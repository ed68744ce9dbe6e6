/** The audit trail of a license's verifications, shown only to the agency that issued it. */
import type { AgencyRow, Store, VerificationLogEntry } from '../ports/store';
import type { IssuanceService } from './issuance';

/** The newest entries a reply carries. */
const LIMIT = 200;

export class VerificationLogService {
  constructor(
    private readonly store: Pick<Store, 'listVerifications'>,
    private readonly issuance: Pick<IssuanceService, 'ownLicense'>,
  ) {}

  async ofLicense(agency: AgencyRow, licenseId: string): Promise<VerificationLogEntry[]> {
    await this.issuance.ownLicense(agency, licenseId);
    return this.store.listVerifications({ licenseId, limit: LIMIT });
  }
}
