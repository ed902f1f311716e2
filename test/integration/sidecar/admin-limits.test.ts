import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * The admin listener is reachable from the whole pod network without a
 * token: it holds at most `admin.maxConnections` sockets (a new one closes
 * an older idle one), drops idle ones quickly, and a flood of connections
 * never stops credentials being served.
 */
let stack: Stack | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await stack?.close();
  stack = undefined;
});

interface Probe {
  socket: Socket;
  /** Resolves with the bytes received once the server closes the connection. */
  closed: Promise<string>;
}

/** A raw TCP connection to the admin port that records what it receives. */
async function open(port: number): Promise<Probe> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed };
}

const portOf = (url: string) => Number(new URL(url).port);

describe('admin listener limits', () => {
  it('holds at most admin.maxConnections, closing older idle ones for new ones, while credentials keep being served', async () => {
    stack = await startStack({ config: { admin: { maxConnections: 4 } } });
    const port = portOf(stack.sidecar.adminUrl);
    const held = await Promise.all(Array.from({ length: 4 }, () => open(port)));
    // One request on a held socket proves the server accepted it (and counts it).
    held[0]!.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const excess: Probe[] = [];
    const answers: Promise<string>[] = [];
    for (let i = 0; i < 6; i++) {
      const probe = await open(port);
      excess.push(probe);
      answers.push(
        new Promise((resolve) => {
          let text = '';
          probe.socket.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (text.includes('\r\n\r\n')) resolve(text);
          });
          probe.socket.on('close', () => resolve(text));
        }),
      );
      probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    }
    // Every new connection is answered: older idle ones make room for it.
    for (const answer of await Promise.all(answers)) expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // The server never holds more than the cap: the rest were closed by it.
    const all = [...held, ...excess];
    await expect
      .poll(() => all.filter((p) => !p.socket.destroyed && !p.socket.readableEnded).length, { timeout: 5000, interval: 20 })
      .toBeLessThanOrEqual(4);

    // The credentials listener is unaffected.
    const res = await stack.get('/v1/credentials/orders');
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('AccessKeyId');

    // Once the held sockets go, the admin port answers again.
    for (const probe of all) probe.socket.destroy();
    await expect
      .poll(async () => (await fetch(`${stack!.sidecar.adminUrl}/healthz`).catch(() => undefined))?.status, {
        timeout: 5000,
        interval: 50,
      })
      .toBe(200);
  });

  it('drops a connection that never sends a request within a few seconds', async () => {
    stack = await startStack();
    const idle = await open(portOf(stack.sidecar.adminUrl));
    // Closed by the server (headers timeout) rather than held for Node's 30 s check interval.
    expect(await idle.closed).toMatch(/^(|HTTP\/1\.1 408 .*)$/s);
    expect(idle.socket.destroyed).toBe(true);
  }, 10_000);
});
