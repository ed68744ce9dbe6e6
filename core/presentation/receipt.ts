/**
 * A receipt (用证留痕) as its holder reads it: the registry writes it when a holder-bound
 * presentation is verified, and the wallet shows it. One definition for both sides.
 */
export interface Receipt {
  id: string;
  at: string;
  counter: { id: string; name: string | null; province: string };
  service: string | null;
  licenseType: string;
  /** The names of the claims disclosed, never their values. */
  claims: string[];
  verdict: string;
}

/** The `typ` of the JWT with which a holder proves its key to read its receipts or rate a service. */
export const RECEIPT_REQUEST_TYP = 'receipt-request+jwt';
