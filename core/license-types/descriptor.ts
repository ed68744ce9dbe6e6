/**
 * What every license type provides. A type is data: a schema, its cross-field rules, and how its
 * holder and display claims are derived; the registry and validateIssueRequest are the same code
 * for every type.
 */
import type { z } from 'zod';
import { LICENSE_TYPE_SEEDS } from '../license-type-seeds';

/**
 * The holder's identifier that the server keys into holderRef (HMAC under an off-ledger secret):
 * the kind of number, a colon, and the number in its normalised (upper-case) form, so the same
 * holder always yields the same holderRef whatever case the clerk typed.
 */
export type HolderIdentifier = `citizen-id:${string}` | `credit-code:${string}`;

/** A person's identifier, from a normalised citizen ID number. */
export function citizenIdentifier(idNumber: string): HolderIdentifier {
  return `citizen-id:${idNumber}`;
}

/** An organisation's identifier, from a normalised unified social credit code. */
export function organizationIdentifier(creditCode: string): HolderIdentifier {
  return `credit-code:${creditCode}`;
}

/** A small flat object of short claim names: what a service counter shows from the credential's QR code. */
export type DisplayClaims = Readonly<Record<string, string>>;

/**
 * Upper bound on the RFC 8785 form of any type's display claims, in UTF-8 bytes, guaranteed by the
 * field bounds (tested with worst-case values). The credential's QR budget is about 600 bytes in
 * all, and the JWS header, signature and the license's own claims need the rest.
 */
export const DISPLAY_CLAIMS_MAX_BYTES = 256;

/**
 * What a type's credential says about its holder, as SD-JWT VC claims: OIDC names where they
 * exist (`name`, `birthdate`), derived claims a counter needs instead of the raw value, and
 * objects where a claim has parts (`address.region`). Every value here is selectively disclosable
 * (core/credential.ts builds the disclosure frame from the shape: a top-level value is one
 * disclosure; an object stays as a container whose members are one disclosure each).
 */
export type SubjectClaims = Readonly<Record<string, string | number | boolean | Readonly<Record<string, string | number | boolean>>>>;

/** What issuance knows beside the record: the day of issue (derived claims are as of it) and the issuer's province. */
export interface SubjectContext {
  /** 'YYYY-MM-DD', China Standard Time. */
  issuedOn: string;
  /** GB/T 2260 code of the issuing agency's province. */
  issuerProvince: string;
}

/** One claim of a type's SD-JWT VC Type Metadata: where it is, its labels, whether it is disclosable. */
export interface ClaimMetadata {
  readonly path: readonly string[];
  readonly zh: string;
  readonly en: string;
  /** SD-JWT VC Type Metadata `sd`: 'always' for every personal claim, 'never' for a container in clear. */
  readonly sd: 'always' | 'allowed' | 'never';
}

/** A refusal of one field: the dotted path of the field and a human message about it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Options shared by the sample generators of every type. */
export interface SampleOptions {
  /** GB/T 2260 province code whose counties the sample uses; default: all sample counties. */
  province?: string;
}

export interface LicenseTypeDescriptor<R extends { type: string }> {
  readonly id: R['type'];
  readonly names: { readonly zh: string; readonly en: string };
  /** Every field on its own: shapes, bounds, check digits. Also the source of the JSON Schema. */
  readonly schema: z.ZodType<R>;
  /** A request that passes validation, with real check characters and consistent fields. */
  readonly example: R;
  /**
   * Fields against each other and against `today` (when given), run after the schema passes:
   * the first problem, or undefined.
   */
  crossCheck(request: R, today?: string): FieldProblem | undefined;
  holderIdentifier(request: R): HolderIdentifier;
  displayClaims(request: R): DisplayClaims;
  /** The credential's subject claims, display and derived (pure: computed from the record and the context). */
  credentialSubject(request: R, context: SubjectContext): SubjectClaims;
  /** Labels (zh-CN, en) and disclosability of every claim credentialSubject yields, for the Type Metadata. */
  readonly claimMetadata: readonly ClaimMetadata[];
  /** One sentence each (zh-CN, en) for the Type Metadata's display description. */
  readonly descriptions: { readonly zh: string; readonly en: string };
  /** A valid request made deterministically from a seed; distinct seeds give distinct requests. */
  makeRequest(seed: number, opts?: SampleOptions): R;
}

/** A type's names come from the ledger's seed list, so the chaincode and the server name it alike. */
export function namesFromSeed(id: string): { readonly zh: string; readonly en: string } {
  const seed = LICENSE_TYPE_SEEDS.find((candidate) => candidate.id === id);
  if (!seed) throw new Error(`license type ${id} is not among the ledger's seeds`);
  return seed.names;
}
