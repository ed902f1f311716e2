import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * Requests that Node or Express would otherwise answer in their own way: every
 * one gets the sidecar's JSON error (`{code, message, Code, Message}`) with the
 * right status, through the one error renderer.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

interface RawAnswer {
  status: number;
  head: string;
  body: Record<string, string>;
}

/** Sends `request` as raw bytes and reads the answer until the server closes or the body is complete. */
function raw(url: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    const finish = () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      try {
        resolve({ status, head, body: body === '' ? {} : (JSON.parse(body) as Record<string, string>) });
      } catch (err) {
        reject(err);
      }
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      const length = /content-length: (\d+)/i.exec(received)?.[1];
      const split = received.indexOf('\r\n\r\n');
      if (length !== undefined && split >= 0 && Buffer.byteLength(received.slice(split + 4)) >= Number(length)) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
    socket.write(request);
  });
}

const jsonError = (answer: RawAnswer) => {
  expect(answer.head).toMatch(/content-type: application\/json/i);
  expect(answer.body['Code']).toBe(answer.body['code']);
  return answer.body['code'];
};

describe('protocol edges of the credentials listener', () => {
  it('refuses an absolute-form request target, whose host the Host check would not see', async () => {
    const answer = await raw(
      stack.sidecar.credentialsUrl,
      `GET http://evil.example/v1/credentials/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${stack.token}\r\n\r\n`,
    );
    expect(answer.status).toBe(403);
    expect(jsonError(answer)).toBe('ForbiddenHost');
    expect(answer.body).not.toHaveProperty('AccessKeyId');
  });

  it('answers a bad percent-encoding in the path with a 400 that names the path', async () => {
    const answer = await raw(
      stack.sidecar.credentialsUrl,
      `GET /v1/credentials/or%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${stack.token}\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    expect(jsonError(answer)).toBe('InvalidRequest');
    expect(answer.body['message']).toContain('the path /v1/credentials/or%E0%A4%A has a bad percent-encoding');
  });

  it('answers a request without Host (HTTP/1.1) with a JSON 400, and an unknown Expect with a JSON 417', async () => {
    const noHost = await raw(stack.sidecar.credentialsUrl, `GET /v1/credentials/orders HTTP/1.1\r\nAuthorization: ${stack.token}\r\n\r\n`);
    expect(noHost.status).toBe(400);
    expect(jsonError(noHost)).toBe('InvalidRequest');
    const expect417 = await raw(
      stack.sidecar.credentialsUrl,
      `GET /v1/credentials/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: something-else\r\nAuthorization: ${stack.token}\r\n\r\n`,
    );
    expect(expect417.status).toBe(417);
    expect(jsonError(expect417)).toBe('ExpectationFailed');
  });

  it('answers a request that does not arrive in time with a JSON 408 (admin listener: 3 s for the head)', async () => {
    const answer = await raw(stack.sidecar.adminUrl, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(answer.status).toBe(408);
    expect(jsonError(answer)).toBe('RequestTimeout');
  }, 10_000);
});
