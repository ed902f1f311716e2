import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * The hit path (a plain profile path, answered without Express) and the full
 * path (the same request with a percent-encoded name, which Express decodes
 * and routes) must answer with the same bytes: status line, every header but
 * `Date`, and body. The sidecar, its emulator and the socket are real.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

/** The answer to `GET path` on a fresh connection, as sent, without its `Date` header. */
function rawGet(path: string): Promise<string> {
  const { hostname, port } = new URL(stack.sidecar.credentialsUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${stack.token}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () =>
      resolve(
        Buffer.concat(chunks)
          .toString('utf8')
          .replace(/^Date: .*\r\n/m, ''),
      ),
    );
  });
}

describe('hit path and full path', () => {
  it('answer a cached profile with the same bytes', async () => {
    expect((await stack.get('/v1/credentials/orders')).status).toBe(200);
    const hit = await rawGet('/v1/credentials/orders');
    const full = await rawGet('/v1/credentials/ord%65rs');
    expect(hit).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(hit).toContain('\r\nContent-Type: application/json\r\n');
    expect(hit).toContain('\r\nCache-Control: no-store\r\n');
    expect(full).toBe(hit);
  });

  it('answer a refusal with the same bytes', async () => {
    const hit = await rawGet('/v1/credentials/nope');
    const full = await rawGet('/v1/credentials/n%6Fpe');
    expect(hit).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(hit).toContain('"code":"ProfileNotFound"');
    expect(full).toBe(hit);
  });
});
