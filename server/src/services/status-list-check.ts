/**
 * The `status-list` check of verification: what the credential's Token Status List entry says,
 * beside the `status` check that reads the license on the ledger.
 *
 * The list is read from this node's own ledger-derived lists, also when `uri` names another node:
 * every node derives the same list of `(agency, list)` from the shared ledger, so fetching it over
 * the network would only add an outage and tell that node where the credential was shown. Both
 * checks follow the same ledger events, so they agree within the event delay, well inside `ttl`.
 */
import { RegistryError } from '../../../core/errors';
import { LIST_ID_PATTERN, STATUS_VALID, isStatusIndex, statusName } from '../../../core/status-list';

export interface StatusListCheck {
  name: 'status-list';
  ok: boolean;
  detail: string;
  /** The ledger could not be reached to build the list: the verdict cannot be `valid` nor `invalid`. */
  indeterminate?: boolean;
}

export interface StatusListReader {
  lookup(agencyId: string, listId: string, idx: number): Promise<{ value: number; licenseId: string; invalidated: boolean } | null>;
}

/** `…/status-lists/<agency>/<list>` as this registry writes it, on whichever node's base URL. */
const LIST_PATH = /\/status-lists\/([A-Za-z0-9][A-Za-z0-9_-]{2,63})\/([0-9]{1,6})$/;

interface Reference {
  idx: number;
  uri: string;
}

function referenceOf(status: unknown): Reference | string {
  if (typeof status !== 'object' || status === null || !Object.hasOwn(status, 'status_list')) return 'the status claim has no status_list';
  const list: unknown = (status as { status_list: unknown }).status_list;
  if (typeof list !== 'object' || list === null) return 'status.status_list is not an object';
  const idx: unknown = Object.hasOwn(list, 'idx') ? (list as { idx: unknown }).idx : undefined;
  const uri: unknown = Object.hasOwn(list, 'uri') ? (list as { uri: unknown }).uri : undefined;
  if (!isStatusIndex(idx)) return 'status.status_list.idx is not an index of a list of this registry';
  if (typeof uri !== 'string') return 'status.status_list.uri is not a string';
  return { idx, uri };
}

/** The `(agency, list)` a status list URI names, on whichever node's base URL, or why it names none. */
function listOf(uri: string): { agencyId: string; listId: string } | string {
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

function fail(detail: string): StatusListCheck {
  return { name: 'status-list', ok: false, detail };
}

/**
 * Null when the credential carries no `status` claim (one issued before status lists): the ledger
 * check then stands alone.
 */
export async function checkStatusList(
  status: unknown,
  credential: { licenseId: string; agencyId: string },
  lists: StatusListReader,
): Promise<StatusListCheck | null> {
  if (status === undefined) return null;
  const reference = referenceOf(status);
  if (typeof reference === 'string') return fail(reference);
  const list = listOf(reference.uri);
  if (typeof list === 'string') return fail(list);
  if (list.agencyId !== credential.agencyId) return fail(`${reference.uri} is a list of ${list.agencyId}, not of the issuer ${credential.agencyId}`);
  const { listId } = list;
  let entry: Awaited<ReturnType<StatusListReader['lookup']>>;
  try {
    entry = await lists.lookup(credential.agencyId, listId, reference.idx);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    if (error.status >= 500) return { name: 'status-list', ok: false, indeterminate: true, detail: `the ledger could not be reached: ${error.message}` };
    return fail(error.message);
  }
  const at = `index ${reference.idx} of ${credential.agencyId}/${listId}`;
  if (!entry) return fail(`${at} is not registered on the ledger`);
  if (entry.licenseId !== credential.licenseId) return fail(`${at} belongs to another license`);
  if (entry.value !== STATUS_VALID) return fail(`${statusName(entry.value)} at ${at}${entry.invalidated ? ' (this credential was invalidated)' : ''}`);
  return { name: 'status-list', ok: true, detail: `VALID at ${at}` };
}
