/**
 * The HTTP server toward clients that misbehave or read what they should not keep: personal
 * answers are never cached or sniffed, slow sockets are closed, a stop has a deadline, and a busy
 * port is a clear start-up error.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/config';
import { startServer } from '../../server/src/server';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { spawnServer } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { ifStarted } from '../support/defined';

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Milliseconds until the server closes `socket`. */
function closedAfter(socket: Socket, since: number): Promise<number> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(Date.now() - since));
    socket.resume();
  });
}

describe('registry HTTP API: server limits', function () {
  this.timeout(90000);

  describe('response headers', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer()));
    after(() => ifStarted(server, (started) => started.remove()));

    it('marks the record, the credential, the QR code and errors no-store and nosniff; public metadata only nosniff', async () => {
      const key = server.agencyKey('zj-psb');
      const issued = await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() });
      expect(issued.status).to.equal(201);
      const id = issued.body.licenseId as string;
      const personal = [
        issued,
        await server.api('GET', `/api/v1/licenses/${id}`, { key }),
        await server.api('GET', `/api/v1/licenses/${id}/credential`, { key }),
        await server.api('GET', `/api/v1/licenses/${id}/qr.png`, { key }),
        await server.api('GET', `/api/v1/licenses/${id}/qr.svg`, { key }),
        await server.api('POST', '/api/v1/verify', { key: server.counterKey('330000'), body: { credential: issued.body.credential } }),
        await server.api('GET', `/api/v1/licenses/${id}`),
      ];
      for (const response of personal) {
        expect(response.headers.get('cache-control'), `status ${response.status}`).to.equal('no-store');
        expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      }
      for (const path of [
        '/api/v1/license-types',
        '/api/v1/trust/issuers',
        '/api/v1/trust/anchor',
        '/api/v1/openapi.json',
        '/api/v1/license-types/id-card/type-metadata',
      ]) {
        const response = await server.api('GET', path);
        expect(response.headers.get('cache-control'), path).to.equal(null);
        expect(response.headers.get('x-content-type-options'), path).to.equal('nosniff');
      }
    });
  });

  describe('slow clients and stopping', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '3000', SHUTDOWN_TIMEOUT_MS: '500' })));
    after(() => ifStarted(server, (started) => started.remove()));

    it('closes 200 sockets that trickle their headers once the headers timeout passed', async () => {
      const since = Date.now();
      const sockets = await Promise.all(Array.from({ length: 200 }, () => openSocket(server.url)));
      const closed = sockets.map((socket) => closedAfter(socket, since));
      for (const socket of sockets) socket.write('GET /api/v1/license-types HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => {
        for (const socket of sockets) if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
      }, 200);
      try {
        const times = await Promise.all(closed);
        expect(Math.max(...times), 'every slow socket closed within a few seconds').to.be.lessThan(5000);
        expect(Math.min(...times), 'not before the timeout').to.be.at.least(900);
      } finally {
        clearInterval(trickle);
      }
      expect((await server.api('GET', '/healthz')).status).to.equal(200);
    });

    it('stops within its deadline although a client never finishes its request', async () => {
      const socket = await openSocket(server.url);
      const closed = closedAfter(socket, Date.now());
      socket.write('POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"credential":');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const since = Date.now();
      await server.stop();
      expect(Date.now() - since, 'stop waited for the deadline, not for the client').to.be.lessThan(2500);
      expect(await closed).to.be.lessThan(3000);
    });
  });

  describe('logs', () => {
    it('writes JSON lines with the request id the answer carries, and never the API key', async () => {
      const dir = tempDir('elicense-logs-');
      const lines: string[] = [];
      const config = loadConfig({ PORT: '0', DATA_DIR: dir.path, WALLET_DIR: join(dir.path, 'wallet'), LOG_LEVEL: 'debug' });
      const running = await startServer(config, { log: (line) => lines.push(line) });
      try {
        const key = `elk_${'0'.repeat(16)}_${'A'.repeat(43)}`;
        const refused = await fetch(`${running.url}/api/v1/licenses/330000-ZZZZZZZZZZZZZ`, {
          headers: { authorization: `Bearer ${key}`, 'x-request-id': 'support-call-42' },
        });
        expect(refused.status).to.equal(401);
        expect(refused.headers.get('x-request-id')).to.equal('support-call-42');
        const fresh = await fetch(`${running.url}/healthz`);
        const freshId = fresh.headers.get('x-request-id') ?? '';
        expect(freshId).to.match(/^[0-9a-f-]{36}$/);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const entries = lines.map(
          (line) => JSON.parse(line) as { reqId?: string; msg?: string; req?: { headers?: Record<string, unknown> }; res?: { status?: number } },
        );
        const mine = entries.find((entry) => entry.reqId === 'support-call-42');
        expect(mine?.res?.status).to.equal(401);
        expect(mine?.req?.headers?.authorization).to.equal('[redacted]');
        expect(entries.some((entry) => entry.reqId === freshId && entry.res?.status === 200)).to.equal(true);
        expect(lines.join('\n')).to.not.contain(key);
      } finally {
        await running.close();
        dir.remove();
      }
    });
  });

  it('says plainly that the port is in use when a second server starts on it', async () => {
    const server = await startTestServer();
    const dir = tempDir('elicense-port-');
    try {
      const port = new URL(server.url).port;
      let failure: Error | null = null;
      try {
        const second = await spawnServer({ PORT: port, DATA_DIR: dir.path, WALLET_DIR: join(dir.path, 'wallet') });
        second.child.kill('SIGKILL');
      } catch (error) {
        failure = error as Error;
      }
      expect(failure?.message).to.match(/server exited 1/);
      expect(failure?.message).to.match(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
      expect(failure?.message).to.not.match(/TypeError/);
    } finally {
      await server.remove();
      dir.remove();
    }
  });
});
