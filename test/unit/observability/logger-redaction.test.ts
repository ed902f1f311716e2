import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const destination = new PassThrough();
  const chunks: Buffer[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logger = createLogger({ level: 'info', destination });
  write(logger);
  logger.flush();
  return Buffer.concat(chunks).toString('utf8');
}

describe('logger redaction', () => {
  it('redacts a lease, its container answer and its secret fields wherever they sit one level down', () => {
    const containerBody = JSON.stringify({ AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: SECRET, Token: 'IQoJTOKENVALUE' });
    const text = logged((logger) => {
      logger.info(
        { lease: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'IQoJTOKENVALUE', containerBody } },
        'a lease',
      );
      logger.info({ containerBody }, 'a body');
      logger.info({ SecretAccessKey: SECRET }, 'a field');
    });
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('IQoJTOKENVALUE');
    expect(text).toContain('[redacted]');
    expect(text).toContain('ASIAEXAMPLE');
  });
});
