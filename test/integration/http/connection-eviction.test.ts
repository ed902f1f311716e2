import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_LIMITS, listen, type Listening } from '../../../src/http/listen.js';

/**
 * The admin listener's cap evicts instead of refusing: whoever holds the most
 * connections loses one first, however old another source's connection is.
 * Sources are loopback addresses of their own (127.0.0.2, 127.0.0.3).
 */
let listening: Listening | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await listening?.close();
  listening = undefined;
});

async function open(port: number, from: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('connection eviction at the cap', () => {
  it('closes an idle connection of the source holding the most, not the oldest of another source', async () => {
    listening = await listen((_req, res) => res.end('ok'), '127.0.0.1', 0, { ...ADMIN_LIMITS, maxConnections: 4 });
    const lone = await open(listening.port, '127.0.0.3');
    const crowd = [
      await open(listening.port, '127.0.0.2'),
      await open(listening.port, '127.0.0.2'),
      await open(listening.port, '127.0.0.2'),
    ];
    const newcomer = await open(listening.port, '127.0.0.3');
    // The crowd's oldest goes; the lone source's older connection stays.
    await closed(crowd[0]!);
    newcomer.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const answer = await new Promise<string>((resolve) => newcomer.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect([lone.destroyed, crowd[1]!.destroyed, crowd[2]!.destroyed]).toEqual([false, false, false]);
  });
});
