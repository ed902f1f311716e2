import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { rateLimit: { requestsPerSecond: 1, burst: 3 } } });
});
afterAll(async () => stack.close());

describe('credentials listener rate limit', () => {
  it('answers 429 JSON with Retry-After once the burst is spent', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await stack.get('/v1/credentials/orders');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(limited!.headers.get('content-type')).toBe('application/json');
    expect(limited!.headers.get('retry-after')).toBe('1');
    expect(await limited!.json()).toMatchObject({ code: 'RateLimited' });
  });
});
