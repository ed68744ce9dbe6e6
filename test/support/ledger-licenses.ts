import type { Registry } from '../../server/src/app';
import { defined } from './defined';

/** An agency's licenses as the ledger holds them: each issued license has its status list entry. */
export async function ledgerLicenses(registry: Registry, agencyId: string): Promise<Set<string>> {
  const reader = defined(registry.nodes[0]).readerIdentity;
  const ids = new Set<string>();
  for (let bookmark = ''; ;) {
    const page = await registry.ledger.listStatusEntries(reader, { agencyId, pageSize: 1000, bookmark });
    for (const entry of page.entries) ids.add(entry.licenseId);
    if (page.entries.length < 1000 || page.bookmark === '' || page.bookmark === bookmark) return ids;
    bookmark = page.bookmark;
  }
}
