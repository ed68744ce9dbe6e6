/**
 * The license types the registry can issue, as data: one descriptor per type (license-types/*),
 * and one validator for every type. The ledger knows the same ids from license-type-seeds.ts;
 * this module holds the field rules for the off-chain record.
 */
import { z } from 'zod';
import { isIsoDate } from './dates';
import { RegistryError } from './errors';
import { businessLicenseType, type BusinessLicenseRequest } from './license-types/business-license';
import type { DisplayClaims, FieldProblem, HolderIdentifier, LicenseTypeDescriptor, SubjectClaims, SubjectContext } from './license-types/descriptor';
import { idCardType, type IdCardRequest } from './license-types/id-card';
import { propertyCertificateType, type PropertyCertificateRequest } from './license-types/property-certificate';

export type { BusinessLicenseRequest } from './license-types/business-license';
export { makeBusinessLicenseRequest } from './license-types/business-license';
export { DISPLAY_CLAIMS_MAX_BYTES, citizenIdentifier, organizationIdentifier } from './license-types/descriptor';
export type {
  ClaimMetadata,
  DisplayClaims,
  FieldProblem,
  HolderIdentifier,
  LicenseTypeDescriptor,
  SampleOptions,
  SubjectClaims,
  SubjectContext,
} from './license-types/descriptor';
export type { IdCardRequest } from './license-types/id-card';
export { idCardValidityYears, idCardValidUntil, makeIdCardRequest } from './license-types/id-card';
export type { PropertyCertificateRequest } from './license-types/property-certificate';
export { makePropertyCertificateRequest } from './license-types/property-certificate';

/** A validated issue request of any type; `type` tells which. */
export type IssueRequest = IdCardRequest | BusinessLicenseRequest | PropertyCertificateRequest;
export type LicenseTypeId = IssueRequest['type'];

/** Any type's descriptor. Method parameters are bivariant, so each typed descriptor stands in for it. */
export type LicenseType = LicenseTypeDescriptor<IssueRequest>;

const TYPES: readonly LicenseType[] = [idCardType, businessLicenseType, propertyCertificateType];
const BY_ID: ReadonlyMap<string, LicenseType> = new Map(TYPES.map((type) => [type.id, type]));

export function listLicenseTypes(): readonly LicenseType[] {
  return TYPES;
}

export function getLicenseType(id: string): LicenseType | undefined {
  return BY_ID.get(id);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const EXPECTED: Readonly<Record<string, string>> = { string: 'a string', number: 'a number', object: 'an object', boolean: 'true or false' };

/** Messages for the issues zod raises on its own; fields with rules of their own carry their own messages. */
const humanIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${kindOf(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}, got ${JSON.stringify(issue.input)}`
        : `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}; got ${JSON.stringify(issue.input)}`;
    case 'unrecognized_keys':
      return 'is not a field of this license type';
    default:
      return undefined;
  }
};

function unrecognizedAtRoot(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce((count, issue) => (issue.code === 'unrecognized_keys' && issue.path.length === 0 ? count + issue.keys.length : count), 0);
}

/**
 * The first issue, as a field path and message. A union (a property's right holder) that fails
 * is explained by the branch the input's fields fit best, the one with fewest unexpected fields,
 * so a person with a bad idNumber hears about the idNumber; when no branch fits better than
 * another, the union's own message says what shape is expected.
 */
function firstProblem(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldProblem {
  const [issue] = issues;
  if (issue === undefined) return { field: prefix.map(String).join('.') || 'body', message: 'is invalid' };
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const fits = issue.errors.map(unrecognizedAtRoot);
    const best = Math.min(...fits);
    const bestBranches = issue.errors.filter((_, i) => fits[i] === best);
    const [onlyBranch] = bestBranches;
    if (bestBranches.length === 1 && onlyBranch !== undefined && onlyBranch.length > 0) return firstProblem(onlyBranch, path);
  }
  if (issue.code === 'unrecognized_keys') path.push(...issue.keys.slice(0, 1));
  const field = path.map(String).join('.');
  return { field, message: issue.message };
}

function refusal(problem: FieldProblem): RegistryError {
  return new RegistryError('INVALID_FIELD', `${problem.field}: ${problem.message}`, { field: problem.field });
}

/** Echo at most this much of an unknown type id: it is the caller's text, not ours. */
const ECHO_LIMIT = 40;

/**
 * Parses an issue request body of any type, or throws RegistryError: INVALID_FIELD naming the
 * first failing field (dotted path in details.field, the message starting with it), or
 * UNKNOWN_LICENSE_TYPE. Pass `today` ('YYYY-MM-DD', China Standard Time, from the server's clock)
 * to refuse birth and establishment dates in the future; without it those checks are skipped,
 * which keeps this function free of any clock.
 */
export function validateIssueRequest(body: unknown, opts: { today?: string } = {}): IssueRequest {
  if (opts.today !== undefined && !isIsoDate(opts.today)) throw new RegistryError('INVALID_ARGUMENT', 'today must be a date written YYYY-MM-DD');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw refusal({ field: 'body', message: `must be a JSON object, got ${kindOf(body)}` });
  }
  const known = TYPES.map((type) => type.id).join(', ');
  const type: unknown = (body as Record<string, unknown>).type;
  if (type === undefined) throw refusal({ field: 'type', message: `is required (one of ${known})` });
  if (typeof type !== 'string') throw refusal({ field: 'type', message: `must be a string (one of ${known}), got ${kindOf(type)}` });
  const descriptor = BY_ID.get(type);
  if (!descriptor) {
    const echoed = type.length > ECHO_LIMIT ? `${type.slice(0, ECHO_LIMIT)}…` : type;
    throw new RegistryError('UNKNOWN_LICENSE_TYPE', `type: unknown license type ${JSON.stringify(echoed)}; known types are ${known}`, {
      field: 'type',
      type: echoed,
    });
  }
  const parsed = descriptor.schema.safeParse(body, { error: humanIssue });
  if (!parsed.success) throw refusal(firstProblem(parsed.error.issues));
  const problem = descriptor.crossCheck(parsed.data, opts.today);
  if (problem) throw refusal(problem);
  return parsed.data;
}

function requireType(id: string): LicenseType {
  const descriptor = BY_ID.get(id);
  if (!descriptor) {
    const echoed = id.slice(0, ECHO_LIMIT);
    throw new RegistryError('UNKNOWN_LICENSE_TYPE', `unknown license type ${JSON.stringify(echoed)}`, { type: echoed });
  }
  return descriptor;
}

/** The string the server keys into holderRef: `citizen-id:<number>` or `credit-code:<code>`. */
export function holderIdentifier(request: IssueRequest): HolderIdentifier {
  return requireType(request.type).holderIdentifier(request);
}

/** The few claims a service counter shows from the credential; at most DISPLAY_CLAIMS_MAX_BYTES as RFC 8785 UTF-8. */
export function displayClaims(request: IssueRequest): DisplayClaims {
  return requireType(request.type).displayClaims(request);
}

/** The credential's subject claims (display and derived, all selectively disclosable) for a validated request. */
export function credentialSubject(request: IssueRequest, context: SubjectContext): SubjectClaims {
  return requireType(request.type).credentialSubject(request, context);
}

/**
 * The JSON Schema (draft 2020-12) of a type's issue request, generated from the same zod schema
 * validateIssueRequest uses. It describes each field; the rules between fields (an ID card's
 * birth date against its number, validity by age) are in the field descriptions, not the schema.
 */
export function licenseTypeJsonSchema(id: string): Record<string, unknown> {
  return z.toJSONSchema(requireType(id).schema, { io: 'input' });
}

/** A request of the type that passes validateIssueRequest; a fresh copy on every call. */
export function licenseTypeExample(id: string): IssueRequest {
  return structuredClone(requireType(id).example);
}
