import { describe, expect, it } from 'vitest';
import { isLoopbackHostHeader } from '../../../src/identity/host-check.js';

describe('isLoopbackHostHeader', () => {
  it.each(['127.0.0.1', '127.0.0.1:9180', 'localhost', 'LOCALHOST:80', '127.1.2.3:1', '[::1]', '[::1]:9180'])('accepts %s', (host) =>
    expect(isLoopbackHostHeader(host)).toBe(true),
  );
  it.each([
    undefined,
    '',
    'evil.example.com',
    'evil.example.com:9180',
    '169.254.170.2',
    '10.0.0.1:9180',
    '127.0.0.1.evil.com',
    'localhost.evil.com',
    '127.0.0.1:abc',
    '[::1]x',
    '[::2]:80',
    '0.0.0.0',
  ])('refuses %s', (host) => expect(isLoopbackHostHeader(host)).toBe(false));
});
