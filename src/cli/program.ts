/**
 * The command line (commander): each command imports what it runs when it
 * runs, so `lfcs serve` never loads the emulator, which keeps the sidecar's
 * resident memory down. main.ts loads this after what must come first.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/problems.js';
import { LfcsError } from '../core/errors.js';
import type { ServeFlags } from './serve-config.js';
import { packageVersion } from './version.js';

/** Exit code for usage mistakes (unknown command or flag, bad flag value). */
const EXIT_USAGE = 2;

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return Number(value);
}

function positiveInteger(value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

const program = new Command('lfcs')
  .description('Caching sidecar for AWS Lake Formation temporary table and partition credentials')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('serve')
  .description('run the sidecar: credentials listener (loopback) and admin listener')
  .option('-c, --config <file>', 'YAML configuration file (also LFCS_CONFIG)')
  .option('--host <host>', 'credentials listener address (default 127.0.0.1)')
  .option('-p, --port <port>', 'credentials listener port (default 9180)', port)
  .option('--admin-host <host>', 'admin listener address: /metrics, /healthz, /readyz (default 0.0.0.0)')
  .option('--admin-port <port>', 'admin listener port (default 9181)', port)
  .option('--token-file <path>', 'token file; generated if missing (else LFCS_AUTH_TOKEN)')
  .option('--region <region>', 'AWS region of Lake Formation')
  .option('--endpoint <url>', 'Lake Formation endpoint override (e.g. the emulator)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .option(
    '--unsafe-allow-non-loopback',
    'allow the credentials listener on a non-loopback address (anyone who can reach it can ask for credentials)',
  )
  .action(async (flags: ServeFlags) => {
    const [{ loadServeConfig }, { applyV8Options }] = await Promise.all([import('./serve-config.js'), import('./reexec.js')]);
    const config = await loadServeConfig(flags, process.env);
    // Before the sidecar's modules load: this may run the command again with the heap options
    // (main.ts did already, where it could read cache.maxEntries early; then this keeps them).
    await applyV8Options(config.cache.maxEntries);
    const { runSidecar } = await import('./serve.js');
    await runSidecar(config);
  });

program
  .command('emulator')
  .description('run the Lake Formation emulator (restJson1 wire protocol, SigV4-checked) for tests and local development')
  .requiredOption('--catalog <file>', 'catalog YAML: tables, partitions, principals and grants')
  .option('-p, --port <port>', 'port (default 4599)', port, 4599)
  .option('--host <host>', 'address', '127.0.0.1')
  .option(
    '--warehouse <dir>',
    'folder of <bucket>/<key> objects for the S3 endpoint, and Iceberg tables for the Glue Iceberg REST catalog (e.g. examples/demo-warehouse)',
  )
  .action(async (flags: { catalog: string; port: number; host: string; warehouse?: string }) => {
    const { loadCatalogFile, startEmulator } = await import('../emulator/index.js');
    const catalog = await loadCatalogFile(flags.catalog);
    const emulator = await startEmulator({
      catalog,
      host: flags.host,
      port: flags.port,
      ...(flags.warehouse !== undefined && { warehouse: flags.warehouse }),
    });
    console.log(
      `lfcs emulator listening at ${emulator.url} (catalog ${flags.catalog}${flags.warehouse !== undefined ? `, warehouse ${flags.warehouse}` : ''})`,
    );
    const stop = () => void emulator.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

program
  .command('demo')
  .description('run the emulator with the demo catalog and the sidecar in front of it (what npm start runs)')
  .option('-p, --port <port>', 'credentials listener port', port, 9180)
  .option('--admin-port <port>', 'admin listener port', port, 9181)
  .option('--iceberg-port <port>', 'Iceberg REST gateway port', port, 9183)
  .option('--token-file <path>', 'token file (generated if missing)', './.lfcs/token')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .action(async (flags: { port: number; adminPort: number; icebergPort: number; tokenFile: string; logLevel?: string }) => {
    const [{ demoCacheMaxEntries }, { applyV8Options }] = await Promise.all([import('./demo-config.js'), import('./reexec.js')]);
    await applyV8Options(await demoCacheMaxEntries());
    const { runDemo } = await import('./demo.js');
    await runDemo(flags);
  });

const configCommand = program.command('config').description('configuration tools');
configCommand
  .command('check')
  .description('validate a configuration file (with LFCS_* variables applied) and print the effective configuration without secrets')
  .argument('<file>', 'YAML configuration file')
  .action(async (file: string) => {
    await readFile(file); // a missing file is reported as such, not as a schema problem
    const [{ configWarnings, loadConfig, redactConfig }, { stringify }] = await Promise.all([import('../config/index.js'), import('yaml')]);
    const config = await loadConfig({ file, env: process.env });
    const warnings = configWarnings(config).map((warning) => `# warning: ${warning}\n`);
    process.stdout.write(`# ${file}: valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}\n${warnings.join('')}`);
    process.stdout.write(stringify(redactConfig(config)));
  });
configCommand
  .command('reference')
  .description('print every configuration field with its LFCS_* variable, default, accepted values and reason (Markdown)')
  .action(async () => {
    const { configReferenceMarkdown } = await import('../config/reference.js');
    process.stdout.write(`${configReferenceMarkdown()}\n`);
  });
configCommand
  .command('schema')
  .description('print the JSON Schema (draft-07) of the configuration file, for editors and CI checks')
  .action(async () => {
    const { configJsonSchema } = await import('../config/reference.js');
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

program
  .command('status')
  .description('print the cache entries of a running sidecar as a table (GET /v1/cache, with the token)')
  .option('--url <url>', 'credentials listener URL', 'http://127.0.0.1:9180')
  .option('--admin <url>', 'admin listener URL, for readiness', 'http://127.0.0.1:9181')
  .option('--token-file <path>', 'token file (else LFCS_AUTH_TOKEN, else AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)')
  .option('--limit <n>', 'entries to list (the sidecar lists at most 1000)', positiveInteger)
  .action(async (flags: { url: string; admin: string; tokenFile?: string; limit?: number }) => {
    const { renderStatus, statusToken } = await import('./status.js');
    const token = statusToken(flags.tokenFile, process.env);
    console.log(
      await renderStatus({
        credentialsUrl: flags.url,
        adminUrl: flags.admin,
        token,
        ...(flags.limit !== undefined && { limit: flags.limit }),
      }),
    );
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0.
    if (err.exitCode === 0) return 0;
    return EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return 1;
  }
  if (err instanceof LfcsError) {
    console.error(`lfcs: ${err.message}`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  console.error(`lfcs: ${e?.code === 'ENOENT' ? `no such file: ${e.path}` : (e?.message ?? String(err))}`);
  return 1;
}
