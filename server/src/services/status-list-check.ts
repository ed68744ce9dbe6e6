/**
 * The `status-list` check of verification: what the credential's Token Status List entry says,
 * beside the `status` check that reads the license's anchor.
 *
 * The list is read through the trust source: online, this node's own lists derived from the
 * ledger — also when `uri` names another node, since every node derives the same list of
 * `(agency, list)` from the shared ledger, and fetching it would only add an outage and tell that
 * node where the credential was shown. Both checks follow the same ledger events, so they agree
 * within the event delay, well inside the token's `ttl`.
 */
import { LIST_ID_PATTERN, STATUS_VALID, statusName } from '../../../core/status-list';
import { RegistryError } from '../../../core/errors';
import type { StatusListEntryAnswer } from '../ports/trust-source';
import { REGISTRY_ID_SOURCE } from '../../../core/registry-id';

/** The check's outcome, in the shape verification's CheckOutcome takes. */
export interface StatusListOutcome {
  check: { name: 'status-list'; ok: boolean; detail: string };
  /** The lists could not be read: the verdict can be at best `indeterminate`. */
  unreachable?: boolean;
}

type ReadEntry = (agencyId: string, listId: string, idx: number) => Promise<StatusListEntryAnswer | null>;

/** What the online trust source reads the entries from (StatusListService). */
export interface StatusListReader {
  lookup(agencyId: string, listId: string, idx: number): Promise<StatusListEntryAnswer | null>;
}

/** `…/status-lists/<agency>/<list>` as this registry writes it, on whichever node's base URL. */
const LIST_PATH = new RegExp(`/status-lists/(${REGISTRY_ID_SOURCE})/([0-9]{1,6})$`);

/** The `(agency, list)` a status list URI names, or why it names none of ours. */
export function statusListOf(uri: string): { agencyId: string; listId: string } | string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `status list uri ${uri} is not a URL`;
  }
  const [, agencyId, listId] = LIST_PATH.exec(url.pathname) ?? [];
  if (agencyId === undefined || listId === undefined || !LIST_ID_PATTERN.test(listId)) return `${uri} is not a status list of this registry`;
  return { agencyId: decodeURIComponent(agencyId), listId };
}

function fail(detail: string, extra: { unreachable?: boolean } = {}): StatusListOutcome {
  return { check: { name: 'status-list', ok: false, detail }, ...extra };
}

async function lookUp(read: ReadEntry, agencyId: string, listId: string, idx: number): Promise<{ entry: StatusListEntryAnswer | null } | StatusListOutcome> {
  try {
    return { entry: await read(agencyId, listId, idx) };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    if (error.status >= 500) return fail(`the status list could not be read: ${error.message}`, { unreachable: true });
    return fail(error.message);
  }
}

/** What the credential's entry `reference` says, read with `read`, for the credential's license and issuing agency. */
export async function statusListOutcome(
  reference: { idx: number; uri: string },
  credential: { licenseId: string; agencyId: string },
  read: ReadEntry,
): Promise<StatusListOutcome> {
  const list = statusListOf(reference.uri);
  if (typeof list === 'string') return fail(list);
  if (list.agencyId !== credential.agencyId) return fail(`${reference.uri} is a list of ${list.agencyId}, not of the issuer ${credential.agencyId}`);
  const answer = await lookUp(read, list.agencyId, list.listId, reference.idx);
  if (!('entry' in answer)) return answer;
  const { entry } = answer;
  const at = `index ${reference.idx} of ${list.agencyId}/${list.listId}`;
  if (!entry) return fail(`${at} is not registered on the ledger`);
  if (typeof entry.licenseId === 'string' && entry.licenseId !== credential.licenseId) return fail(`${at} belongs to another license`);
  if (entry.value !== STATUS_VALID) return fail(`${statusName(entry.value)} at ${at}${entry.invalidated === true ? ' (this credential was invalidated)' : ''}`);
  return { check: { name: 'status-list', ok: true, detail: `VALID at ${at}` } };
}
