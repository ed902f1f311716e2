import { resolve } from 'node:path';
import { DEMO_PRINCIPAL, DEMO_WAREHOUSE, loadCatalogFile, startEmulator } from '../emulator/index.js';
import { loadConfig, requireAuthSource, type ConfigOverrides } from '../config/index.js';
import { createLogger } from '../observability/logger.js';
import { flagsToOverrides } from './serve-config.js';
import { runSidecar } from './serve.js';
import { DEMO_CONFIG_FILE } from './demo-config.js';
import { packageFile } from './version.js';

/** The session tag value the demo's Lake Formation lists as an authorized caller. */
const DEMO_TAG_VALUE = 'lfcs-demo';
const DEMO_DATA_LAKE_SETTINGS = { allowFullTableExternalDataAccess: true, authorizedSessionTagValues: [DEMO_TAG_VALUE] };
const DEMO_ROLE_ARN = 'arn:aws:iam::123456789012:role/lfcs-demo-authorized';
/** The demo catalog's account: the Glue catalog id the gateway serves, and the engines' `warehouse`. */
const DEMO_CATALOG_ID = '123456789012';

/**
 * `upstream.assumeRole` for the demo: the demo role, tagged as an authorized
 * caller, via the emulator's STS. And the Iceberg REST gateway in front of the
 * emulator's Glue Iceberg catalog and S3 stand-in (the demo warehouse), whose
 * tables `dynamic.allowedTables` of the demo config already allows.
 */
function withDemoRole(overrides: ConfigOverrides, emulatorUrl: string, icebergPort: number): ConfigOverrides {
  return {
    ...overrides,
    iceberg: {
      enabled: true,
      port: icebergPort,
      upstreamUri: `${emulatorUrl}/iceberg`,
      catalogs: [DEMO_CATALOG_ID],
      s3Endpoint: emulatorUrl,
    },
    upstream: {
      ...overrides.upstream,
      assumeRole: {
        roleArn: DEMO_ROLE_ARN,
        sessionTags: { LakeFormationAuthorizedCaller: DEMO_TAG_VALUE },
        stsEndpoint: emulatorUrl,
      },
    },
  };
}

export interface DemoFlags {
  port: number;
  adminPort: number;
  icebergPort: number;
  tokenFile: string;
  logLevel?: string;
}

/**
 * `lfcs demo` (what `npm start` runs): the emulator on a free loopback port
 * with the demo catalog, and the sidecar in front of it, configured by
 * `examples/config.yaml` and signing with the demo principal's keys, through
 * the demo role it assumes (the emulator's STS) as an authorized caller. The
 * emulator serves the demo warehouse (two Iceberg tables, sales.orders and
 * sales.returns), read through the sidecar's Iceberg REST gateway.
 */
export async function runDemo(flags: DemoFlags, out: (line: string) => void = console.log): Promise<void> {
  const fileCatalog = await loadCatalogFile(packageFile('examples/demo-catalog.yaml'));
  // Lake Formation's application integration on: the filtered table (customers)
  // vends only to a session tagged as an authorized caller, which the sidecar
  // becomes by assuming the demo role (upstream.assumeRole below).
  const catalog = { ...fileCatalog, dataLakeSettings: DEMO_DATA_LAKE_SETTINGS };
  const emulator = await startEmulator({ catalog, host: '127.0.0.1', port: 0, warehouse: packageFile(DEMO_WAREHOUSE) });
  const tokenFile = resolve(flags.tokenFile);
  const config = await loadConfig({
    file: packageFile(DEMO_CONFIG_FILE),
    // The demo is self-contained: LFCS_* variables meant for a real deployment do not apply.
    env: {},
    overrides: withDemoRole(
      flagsToOverrides({
        endpoint: emulator.url,
        port: flags.port,
        adminPort: flags.adminPort,
        tokenFile,
        ...(flags.logLevel !== undefined && { logLevel: flags.logLevel }),
      }),
      emulator.url,
      flags.icebergPort,
    ),
  });
  requireAuthSource(config);
  const logger = createLogger({ level: config.log.level });
  let sidecar: Awaited<ReturnType<typeof runSidecar>>;
  try {
    sidecar = await runSidecar(
      config,
      {
        upstreamCredentials: {
          accessKeyId: DEMO_PRINCIPAL.accessKeyId,
          secretAccessKey: DEMO_PRINCIPAL.secretAccessKey,
        },
      },
      logger,
    );
  } catch (err) {
    await emulator.close();
    throw err;
  }
  // Stop the emulator after the sidecar has drained.
  const shutdown = sidecar.shutdown.bind(sidecar);
  sidecar.shutdown = async () => {
    await shutdown();
    await emulator.close();
  };
  await sidecar.prewarmed();

  const base = sidecar.credentialsUrl;
  const gateway = sidecar.icebergUrl!;
  out(
    [
      '',
      `lfcs demo: Lake Formation emulator at ${emulator.url}, sidecar at ${base}, admin at ${sidecar.adminUrl}, Iceberg REST gateway at ${gateway}`,
      `profiles: ${Object.keys(config.profiles).join(', ')}`,
      '',
      'A consumer (Spark, Trino, any AWS SDK) sets exactly these two variables:',
      `  export AWS_CONTAINER_CREDENTIALS_FULL_URI=${base}/v1/credentials/orders`,
      `  export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${tokenFile}`,
      '',
      'Try it with curl:',
      `  curl -s -H "Authorization: $(cat ${tokenFile})" ${base}/v1/credentials/orders`,
      '',
      'With a real SDK client (botocore, as the AWS CLI and boto3 use it):',
      `  AWS_CONTAINER_CREDENTIALS_FULL_URI=${base}/v1/credentials/orders AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${tokenFile} \\`,
      `    python3 -c "from botocore.credentials import ContainerProvider as P; c = P().load(); print(c.method, c.access_key)"`,
      '',
      'Or ask Lake Formation (the emulator) directly with the AWS CLI:',
      `  AWS_ACCESS_KEY_ID=${DEMO_PRINCIPAL.accessKeyId} AWS_SECRET_ACCESS_KEY=${DEMO_PRINCIPAL.secretAccessKey} \\`,
      `    aws lakeformation get-temporary-glue-table-credentials --endpoint-url ${emulator.url} --region us-east-1 \\`,
      `    --table-arn arn:aws:glue:us-east-1:123456789012:table/sales/orders --permissions SELECT --supported-permission-types COLUMN_PERMISSION`,
      '',
      `Read an Iceberg table (sales.orders or sales.returns) through the Iceberg REST gateway at ${gateway},`,
      'with PyIceberg (pip install "pyiceberg[pyarrow]"); the token file is the catalog token:',
      `  python3 -c "from pyiceberg.catalog import load_catalog; c = load_catalog('lfcs', type='rest', uri='${gateway}', warehouse='${DEMO_CATALOG_ID}', token=open('${tokenFile}').read()); print(c.load_table('sales.orders').scan().to_arrow().to_pylist())"`,
      '',
      `Metrics: curl -s ${sidecar.adminUrl}/metrics | grep ^lfcs_`,
      `Cache:   npx lfcs status --url ${base} --admin ${sidecar.adminUrl} --token-file ${tokenFile}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}
