/**
 * Memory and hit latency of CredentialCache with N entries, in its own
 * process (run with --expose-gc so RSS is measured after full collections).
 * Usage: node --expose-gc bench/many-keys.mjs <N>. Prints one JSON line.
 * The fake vend returns leases shaped like Lake Formation's (the emulator's
 * token size), each with unique strings, on the system clock, as in production.
 * Each lease's container answer is rendered once after the fill, as the first
 * hit of the container route does, so the figure is a served lease's.
 */
import { randomBytes } from 'node:crypto';
import { CredentialCache } from '../dist/cache/index.js';
import { containerBody } from '../dist/http/container-body.js';
import { UpstreamCaller } from '../dist/upstream/caller.js';

const n = Number(process.argv[2] ?? 100_000);
if (typeof gc !== 'function') throw new Error('run with --expose-gc');

const fullGc = () => {
  for (let i = 0; i < 3; i++) gc();
};
const request = (i) => ({
  operation: 'GetTemporaryGlueTableCredentials',
  tableArn: `arn:aws:glue:us-east-1:123456789012:table/db${i % 100}/table_${i}`,
  permissions: ['SELECT'],
  supportedPermissionTypes: ['COLUMN_PERMISSION'],
  durationSeconds: 3600,
});
let serial = 0;
const vend = async () => {
  serial += 1;
  return {
    accessKeyId: `ASIA${String(serial).padStart(16, '0')}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(360).toString('base64')}`,
    expiration: new Date(Date.now() + 3600_000),
  };
};

// Warm the code paths so JIT memory is not counted per entry.
{
  const warm = new CredentialCache({
    upstream: new UpstreamCaller({ vend, settings: { ratePerSecond: 1e6, burst: 1e6, maxConcurrency: 1000 } }),
    maxEntries: 1000,
  });
  for (let i = 0; i < 1000; i++) await warm.get(request(-i - 1));
  warm.close();
}
fullGc();
const before = process.memoryUsage();

const cache = new CredentialCache({
  upstream: new UpstreamCaller({ vend, settings: { ratePerSecond: 1e6, burst: 1e6, maxConcurrency: 1000, maxQueuedCalls: 1e6 } }),
  maxEntries: n,
});
const fillStarted = performance.now();
const batch = 1000;
for (let i = 0; i < n; i += batch) {
  const gets = [];
  for (let j = i; j < Math.min(n, i + batch); j++) gets.push(cache.get(request(j)));
  await Promise.all(gets);
}
const fillMs = performance.now() - fillStarted;
// The body every served lease keeps (before: memoised beside it; now: the lease's own).
for (let i = 0; i < n; i++) containerBody((await cache.get(request(i))).lease, '123456789012');
fullGc();
const after = process.memoryUsage();

// Hit latency of get(): random existing keys, one at a time.
const samples = [];
for (let k = 0; k < Math.min(n, 100_000); k++) {
  const i = Math.floor(Math.random() * n);
  const req = request(i);
  const t0 = process.hrtime.bigint();
  const served = await cache.get(req);
  const t1 = process.hrtime.bigint();
  if (served.result !== 'hit') throw new Error(`expected a hit, got ${served.result}`);
  samples.push(Number(t1 - t0) / 1000);
}
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)];

process.stdout.write(
  `${JSON.stringify({
    entries: cache.size,
    fillSeconds: Number((fillMs / 1000).toFixed(2)),
    rssBeforeBytes: before.rss,
    rssAfterBytes: after.rss,
    heapUsedDeltaBytes: after.heapUsed - before.heapUsed,
    bytesPerEntryRss: Math.round((after.rss - before.rss) / n),
    bytesPerEntryHeap: Math.round((after.heapUsed - before.heapUsed) / n),
    hitMicros: { p50: pct(50), p99: pct(99), max: samples[samples.length - 1] },
  })}\n`,
);
cache.close();
