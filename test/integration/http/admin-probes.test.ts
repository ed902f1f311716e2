import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * The admin port is reachable from the whole pod network (the node's, in
 * agent mode) without a token. However many connections others hold open on
 * it, the kubelet's probes and Prometheus's scrape still get their answer:
 * lfcs is not restarted, nor its cache lost, because a neighbour keeps busy
 * connections open.
 */
let stack: Stack | undefined;
const flood: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of flood.splice(0)) socket.destroy();
  await stack?.close();
  stack = undefined;
});

/** A connection that sends `GET /healthz` at once and then every `everyMs`, reading every answer, until closed. */
async function busyConnection(port: number, everyMs: number): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port });
  flood.push(socket);
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  const send = () => {
    if (!socket.destroyed) socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  };
  send();
  timers.push(setInterval(send, everyMs));
}

async function probe(url: string): Promise<number | string> {
  try {
    // A fresh connection for each probe, as the kubelet makes.
    const res = await fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(4000) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return (err as Error).name;
  }
}

describe('admin probes under a connection flood', () => {
  it('answers /healthz, /readyz and /metrics on a fresh connection while 64 busy connections are open', async () => {
    stack = await startStack();
    const port = Number(new URL(stack.sidecar.adminUrl).port);
    // Twice the default admin.maxConnections (32), each busy as a prober run amok.
    for (let i = 0; i < 64; i++) await busyConnection(port, 200);
    const answered = [];
    for (const path of ['/healthz', '/readyz', '/metrics']) answered.push(await probe(`${stack.sidecar.adminUrl}${path}`));
    expect(answered).toEqual([200, 200, 200]);
    // The credentials listener is unaffected.
    expect((await stack.get('/v1/credentials/orders')).status).toBe(200);
  }, 20_000);
});
