import { describe, expect, it } from 'vitest';
import { startStack } from '../../support/stack.js';

describe('stopping with requests waiting on Lake Formation', () => {
  it('answers them 503 ShuttingDown and stops instead of waiting for the upstream', async () => {
    let vendCalls = 0;
    // An upstream that never answers (until aborted): a request for it can only end by shutdown.
    const stack = await startStack({
      sidecar: {
        vend: (_request, signal) =>
          new Promise((_resolve, reject) => {
            vendCalls++;
            signal?.addEventListener('abort', () => reject(signal.reason));
          }),
      },
    });
    const pending = stack.get('/v1/credentials/orders');
    await expect.poll(() => vendCalls).toBe(1);
    await stack.close();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ code: 'ShuttingDown' });
  });
});
