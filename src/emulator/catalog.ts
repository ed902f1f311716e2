/**
 * The emulator's view of one AWS account: who may sign requests, which Glue
 * tables exist (and where their data lives), and what each principal was
 * granted. Read once from YAML, checked against a schema that reports every
 * problem with its path, then frozen.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { deepFreeze } from '../core/objects.js';
import { DURATION_SECONDS_MAX, DURATION_SECONDS_MIN } from '../lakeformation/fields.js';
import { PERMISSIONS, PERMISSION_TYPES } from '../lakeformation/types.js';
import { describeIssues, parseOptions } from '../core/zod-issues.js';

const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const GLUE_NAME = /^[^/.\s]+$/;

const s3Location = z.string().regex(S3_URI, { error: 'must be an s3://bucket/prefix URI' });
const glueName = z.string().regex(GLUE_NAME, { error: 'must be a non-empty name without "/", "." or spaces' });

// YAML reads an unquoted 12-digit number as a number; accept it, and let the
// digit check catch the numbers that lost a leading zero on the way.
const accountId = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.string().regex(/^\d{12}$/, {
    error: 'must be a 12-digit AWS account id (quote it so leading zeros survive)',
  }),
);

const principalSchema = z.strictObject({
  /** Free text for humans reading the catalog. */
  name: z.string().min(1).optional(),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, { error: 'must be 16-128 characters of A-Z and 0-9' }),
  secretAccessKey: z.string().min(1, { error: 'must not be empty' }),
  /** When set, requests must carry it as `x-amz-security-token` (temporary credentials). */
  sessionToken: z.string().min(1).optional(),
  principalArn: z.string().regex(IAM_PRINCIPAL_ARN, {
    error: 'must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/name',
  }),
});

const partitionSchema = z.strictObject({
  values: z.array(z.string({ error: 'must be a string (quote it)' })).min(1, {
    error: 'must list one value per partition key',
  }),
  location: s3Location,
});

const tableSchema = z.strictObject({
  name: glueName,
  location: s3Location,
  partitionKeys: z.array(glueName).optional(),
  partitions: z.array(partitionSchema).optional(),
  /** Filters the table's policy needs; callers must list them all in `SupportedPermissionTypes`. */
  requiredPermissionTypes: z.array(z.enum(PERMISSION_TYPES)).optional(),
  /** Glue GetTable's `IsRegisteredWithLakeFormation`; default true (every catalog table is Lake Formation's). */
  registeredWithLakeFormation: z.boolean().default(true),
});

const databaseSchema = z.strictObject({
  name: glueName,
  tables: z.array(tableSchema),
});

const grantSchema = z.strictObject({
  principal: z.string().min(1),
  /** `<database>.<table>`, `<database>.*` or `*`. */
  table: z.string().regex(/^(\*|[^.\s]+\.(\*|[^.\s]+))$/, {
    error: 'must be "<database>.<table>", "<database>.*" or "*"',
  }),
  permissions: z.array(z.enum(PERMISSIONS)).min(1, { error: 'must grant at least one permission' }),
});

/** A location registered with Lake Formation (`RegisterResource`): its data may be vended for. */
const registeredLocationSchema = z.strictObject({
  location: s3Location,
  /** The region the location is registered in. Default: the catalog's region. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as us-east-1' })
    .optional(),
});

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** An IAM role that principals may assume with STS AssumeRole; grants may name it. */
const roleSchema = z.strictObject({
  arn: z.string().regex(ROLE_ARN, { error: 'must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/name' }),
  /** Principal ARNs (from `principals`) the role's trust policy lets assume it, session tags included. */
  trustedPrincipals: z.array(z.string().min(1)).min(1, { error: 'must name at least one principal' }),
  /** The trust policy's `sts:ExternalId` condition, when it has one. */
  externalId: z.string().min(2).optional(),
});

/**
 * Lake Formation's data-lake settings for application integration (developer
 * guide, "Application integration for full table access" and "authorized
 * session tag values"). The table and partition calls are gated only when
 * `authorizedSessionTagValues` is set: without it any principal with the grant
 * gets credentials, filtered tables included. GetTemporaryDataLocationCredentials
 * needs full-table access on (off by default, as in AWS), so without the
 * section it is refused.
 */
const dataLakeSettingsSchema = z.strictObject({
  /**
   * `AllowFullTableExternalDataAccess`: unfiltered tables vend to any principal
   * with the grant, not only authorized callers; data-location vending needs it.
   */
  allowFullTableExternalDataAccess: z.boolean().default(false),
  /**
   * Values of the session tag LakeFormationAuthorizedCaller that make a caller
   * authorized. Unset: the table and partition calls are not gated by session
   * tags (the emulator then models full-table access for data locations only).
   */
  authorizedSessionTagValues: z.array(z.string().min(1).max(256)).optional(),
});

const catalogShape = z.strictObject({
  account: accountId,
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as us-east-1' }),
  maxSessionSeconds: z.number().int().min(DURATION_SECONDS_MIN).max(DURATION_SECONDS_MAX).default(DURATION_SECONDS_MAX),
  principals: z.array(principalSchema).min(1, { error: 'must name at least one principal' }),
  databases: z.array(databaseSchema),
  grants: z.array(grantSchema).default([]),
  /** Locations registered with Lake Formation; only these can be asked for with GetTemporaryDataLocationCredentials. */
  registeredLocations: z.array(registeredLocationSchema).default([]),
  roles: z.array(roleSchema).default([]),
  dataLakeSettings: dataLakeSettingsSchema.optional(),
});

const catalogSchema = catalogShape.superRefine(checkCrossReferences);

/** A validated, frozen catalog. */
export type Catalog = z.output<typeof catalogSchema>;
export type CatalogPrincipal = Catalog['principals'][number];
export type CatalogDatabase = Catalog['databases'][number];
export type CatalogTable = CatalogDatabase['tables'][number];
export type CatalogPartition = NonNullable<CatalogTable['partitions']>[number];
export type CatalogGrant = Catalog['grants'][number];
export type CatalogRegisteredLocation = Catalog['registeredLocations'][number];
export type CatalogRole = Catalog['roles'][number];
/** Whoever signed a request: a catalog principal, or a session of a role it assumed (with the session's tags). */
export type SigningPrincipal = CatalogPrincipal & {
  /** Session tags of an assumed-role session (STS AssumeRole `Tags`). */
  readonly sessionTags?: Readonly<Record<string, string>>;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` for a role session; `principalArn` is then the role's ARN. */
  readonly assumedRoleArn?: string;
};
export type DataLakeSettings = NonNullable<Catalog['dataLakeSettings']>;

type UncheckedCatalog = z.output<typeof catalogShape>;

/** Checks the schema cannot express: uniqueness and references between sections. */
function checkCrossReferences(catalog: UncheckedCatalog, ctx: z.RefinementCtx): void {
  const report = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  reportDuplicates(
    catalog.principals.map((p) => p.accessKeyId),
    (i, value) => report(['principals', i, 'accessKeyId'], `duplicates access key id ${value}`),
  );
  reportDuplicates(
    catalog.principals.map((p) => p.principalArn),
    (i, value) => report(['principals', i, 'principalArn'], `duplicates principal ${value}`),
  );
  reportDuplicates(
    catalog.registeredLocations.map((r) => r.location.replace(/\/+$/, '')),
    (i, value) => report(['registeredLocations', i, 'location'], `duplicates registered location ${value}`),
  );
  reportDuplicates(
    catalog.databases.map((d) => d.name),
    (i, value) => report(['databases', i, 'name'], `duplicates database ${value}`),
  );

  catalog.databases.forEach((database, d) => {
    reportDuplicates(
      database.tables.map((t) => t.name),
      (t, value) => report(['databases', d, 'tables', t, 'name'], `duplicates table ${value}`),
    );
    database.tables.forEach((table, t) => {
      const keyCount = table.partitionKeys?.length ?? 0;
      const partitions = table.partitions ?? [];
      partitions.forEach((partition, p) => {
        if (partition.values.length !== keyCount) {
          report(
            ['databases', d, 'tables', t, 'partitions', p, 'values'],
            `has ${partition.values.length} value(s) but the table has ${keyCount} partition key(s)`,
          );
        }
      });
      reportDuplicates(
        partitions.map((p) => JSON.stringify(p.values)),
        (p, value) => report(['databases', d, 'tables', t, 'partitions', p, 'values'], `duplicates partition ${value}`),
      );
    });
  });

  const principalArns = new Set(catalog.principals.map((p) => p.principalArn));
  catalog.roles.forEach((role, r) => {
    role.trustedPrincipals.forEach((trusted, t) => {
      if (!principalArns.has(trusted)) report(['roles', r, 'trustedPrincipals', t], `names ${trusted}, which is not in principals`);
    });
  });
  const grantees = new Set([...principalArns, ...catalog.roles.map((role) => role.arn)]);
  catalog.grants.forEach((grant, g) => {
    if (!grantees.has(grant.principal)) {
      report(['grants', g, 'principal'], `names ${grant.principal}, which is not in principals or roles`);
    }
    if (!grantTargetExists(catalog.databases, grant.table)) {
      report(['grants', g, 'table'], `names ${grant.table}, which is not in databases`);
    }
  });
}

function reportDuplicates(values: string[], report: (index: number, value: string) => void): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) report(index, value);
    seen.add(value);
  });
}

function grantTargetExists(databases: UncheckedCatalog['databases'], target: string): boolean {
  if (target === '*') return true;
  const [databaseName, tableName] = target.split('.');
  const database = databases.find((d) => d.name === databaseName);
  if (!database) return false;
  return tableName === '*' || database.tables.some((t) => t.name === tableName);
}

/** Thrown when a catalog does not parse or validate; `problems` has one line per problem. */
export class CatalogError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: string[]) {
    super(`Invalid catalog ${source} (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CatalogError';
    this.problems = problems;
  }
}

/**
 * Parses and validates catalog YAML.
 * @param source names the text in the error message (a file path); default `(inline)`.
 * @throws CatalogError listing every YAML syntax error, or else every schema problem.
 */
export function parseCatalog(yamlText: string, source = '(inline)'): Catalog {
  // Plain messages, positions from a line counter: "pretty" errors quote the
  // offending source line, which may be a secret.
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    throw new CatalogError(
      source,
      document.errors.map((e) => `YAML line ${lineCounter.linePos(e.pos[0]).line}: ${e.message}`),
    );
  }
  const result = catalogSchema.safeParse(document.toJS(), parseOptions);
  if (!result.success) throw new CatalogError(source, describeIssues(result.error.issues));
  return deepFreeze(result.data);
}

/**
 * Reads a catalog YAML file. See `examples/demo-catalog.yaml` for the format.
 * @throws CatalogError naming the file and every problem in it.
 */
export async function loadCatalogFile(path: string): Promise<Catalog> {
  return parseCatalog(await readFile(path, 'utf8'), path);
}
