import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, redactConfig, REDACTED, type ConfigError } from '../../../src/config/index.js';
import { configError, yamlFile } from './helpers.js';

const TOKEN = 'S3cr3t-T0ken-Never-Shown-9f8e7d';

function assertTokenAbsent(error: ConfigError) {
  expect(error.message).not.toContain(TOKEN);
  expect(error.stack ?? '').not.toContain(TOKEN);
  expect(JSON.stringify(error.problems)).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(String(error.cause ?? '')).not.toContain(TOKEN);
}

describe('redactConfig', () => {
  it('replaces the token and keeps everything else', async () => {
    const config = await loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_AUTH_TOKEN: TOKEN } });
    const redacted = redactConfig(config);
    expect(JSON.stringify(redacted)).not.toContain(TOKEN);
    expect(redacted.auth).toEqual({ token: REDACTED });
    expect(redacted.listen).toEqual(config.listen);
    expect(config.auth.token).toBe(TOKEN); // the configuration itself is untouched
  });

  it('shows no token key when there is no token', () => {
    expect(redactConfig(parseConfig({ region: 'us-east-1', auth: { tokenFile: '/run/t' } })).auth).toEqual({
      tokenFile: '/run/t',
    });
  });
});

describe('the token never appears in a ConfigError', () => {
  it('when the token itself is invalid', async () => {
    const bad = `${TOKEN} with spaces\n`;
    const error = await configError(() => loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_AUTH_TOKEN: bad } }));
    expect(error.problems[0]).toMatchObject({ path: 'auth.token', value: REDACTED, source: 'LFCS_AUTH_TOKEN' });
    assertTokenAbsent(error);
  });

  it('when the token is too short', async () => {
    const error = await configError(() => parseConfig({ region: 'us-east-1', auth: { token: 'short' } }));
    expect(error.message).not.toContain('short"');
    expect(error.problems[0]?.value).toBe(REDACTED);
  });

  it('when it conflicts with a token file', async () => {
    const error = await configError(() =>
      loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_AUTH_TOKEN: TOKEN, LFCS_AUTH_TOKEN_FILE: '/run/t' } }),
    );
    assertTokenAbsent(error);
  });

  it('when it is written into the config file', async () => {
    const file = await yamlFile(`region: us-east-1\nauth:\n  token: ${TOKEN}\n`);
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems).toEqual([
      {
        path: 'auth.token',
        value: REDACTED,
        expected: 'not set in a config file: pass the token in LFCS_AUTH_TOKEN, or name a token file in auth.tokenFile',
      },
    ]);
    assertTokenAbsent(error);
  });

  it('when it is under a misspelled key in the file', async () => {
    const file = await yamlFile(`region: us-east-1\nauth:\n  tokne: ${TOKEN}\nupstream:\n  secretKey: ${TOKEN}\n`);
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems.map((problem) => [problem.path, problem.value])).toEqual([
      ['upstream.secretKey', REDACTED],
      ['auth.tokne', REDACTED],
    ]);
    assertTokenAbsent(error);
  });

  it('when it is written as the value of auth itself', async () => {
    const file = await yamlFile(`region: us-east-1\nauth: ${TOKEN}\n`);
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems[0]).toMatchObject({ path: 'auth', value: REDACTED });
    assertTokenAbsent(error);
  });

  it('when it is nested inside a misspelled section', async () => {
    const file = await yamlFile(`region: us-east-1\nauht:\n  token: ${TOKEN}\n  tokenFile: /run/t\n`);
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems[0]).toMatchObject({ path: 'auht', value: { token: REDACTED, tokenFile: '/run/t' } });
    assertTokenAbsent(error);
  });

  it('when the whole file is just the token', async () => {
    const file = await yamlFile(`${TOKEN}\n`);
    const error = await configError(() => loadConfig({ file, env: { AWS_REGION: 'us-east-1' } }));
    expect(error.problems[0]).toMatchObject({ path: 'config file', value: '(a string)' });
    assertTokenAbsent(error);
  });

  it('when it is in a misspelled LFCS_* variable', async () => {
    const error = await configError(() => loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_AUTH_TOKN: TOKEN } }));
    expect(error.problems[0]?.expected).toContain('did you mean LFCS_AUTH_TOKEN?');
    assertTokenAbsent(error);
  });

  it('when the file is not valid YAML around it', async () => {
    const file = await yamlFile(`region: us-east-1\nauth: [${TOKEN}\n`);
    const error = await configError(() => loadConfig({ file }));
    assertTokenAbsent(error);
  });

  it('when other problems are reported alongside a valid token', async () => {
    const error = await configError(() =>
      loadConfig({ env: { LFCS_AUTH_TOKEN: TOKEN, LFCS_LISTEN_PORT: 'x' }, overrides: { log: { level: 'loud' as never } } }),
    );
    expect(error.problems.length).toBeGreaterThanOrEqual(3);
    assertTokenAbsent(error);
  });
});
