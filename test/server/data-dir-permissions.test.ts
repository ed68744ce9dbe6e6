/**
 * A DATA_DIR an operator created beforehand (0755, as mkdir makes it) ends up private to the
 * registry's user: a local user must not read or rewrite the store, the ledger or the keys.
 */
import { expect } from 'chai';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { tempDir } from '../support/temp-dir';

/** Every path under `root` whose mode lets group or others in, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const stack = [root];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) stack.push(join(path, name));
  }
  return found;
}

describe('DATA_DIR permissions', function () {
  this.timeout(120000);

  it('tightens a pre-created 0755 DATA_DIR, with a 0666 file and a 0755 store folder in it, to 0700 folders and 0600 files, and every file once stopped', async () => {
    const dir = tempDir('elicense-perm-');
    const umask = process.umask(0o022);
    try {
      chmodSync(dir.path, 0o755);
      mkdirSync(join(dir.path, 'store'), { mode: 0o755 });
      writeFileSync(join(dir.path, 'store', 'left-over'), 'x', { mode: 0o666 });
      chmodSync(join(dir.path, 'store', 'left-over'), 0o666);
      expect(openToOthers(dir.path)).to.have.length(3);

      const server = await startTestServer({}, dir.path);
      try {
        expect((await server.api('POST', '/api/v1/licenses', { key: server.agencyKey('zj-psb'), body: idCardBody() })).status).to.equal(201);
        // While running: no folder lets anyone else in, so no file is reachable by them, whatever
        // mode PGlite gives the files it creates.
        expect(openToOthers(dir.path).filter((entry) => statSync(entry.split(' ')[0] as string).isDirectory())).to.deep.equal([]);
        expect(statSync(dir.path).mode & 0o777).to.equal(0o700);
      } finally {
        await server.stop();
      }
      // Stopped: every file as well.
      expect(openToOthers(dir.path)).to.deep.equal([]);
    } finally {
      process.umask(umask);
      dir.remove();
    }
  });
});
