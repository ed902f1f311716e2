/**
 * The configuration's cross-field rules, as data (`Rule`, checked by
 * `rule.ts`): each names the field it speaks of, when it is broken, and
 * what that field accepts then. The numeric relations each section defines
 * beside its fields (`SECTION_RELATIONS`) come first, then these, in the
 * order their problems are reported.
 */
import { isLoopbackHost } from '../core/hosts.js';
import { isPlainObject } from '../core/objects.js';
import { renderPath, suggest } from './problems.js';
import { relationRule, rootRelations, type Fields, type Path, type Rule } from './rule.js';
import { describeField, SECTION_RELATIONS } from './schema.js';

/** The relations of every section, with paths from the configuration's root. */
export const RELATIONS = rootRelations(SECTION_RELATIONS);

const describe = (path: Path) => describeField(path) ?? 'a valid value';

const isArrayWithItems = (value: unknown) => Array.isArray(value) && value.length > 0;

// Whoever reaches a credentials-serving listener can ask for keys, so both listen on loopback only.
const LOOPBACK_EXPECTED =
  'a loopback address (127.0.0.1, another 127.x.x.x, ::1 or localhost), because whoever reaches the ' +
  'credentials listener can ask for keys';

const nonLoopback = (value: unknown) => typeof value === 'string' && !isLoopbackHost(value);

const lakeformationApiEnabled = (fields: Fields) => fields.value(['lakeformationApi', 'enabled']) === true;
const icebergEnabled = (fields: Fields) => fields.value(['iceberg', 'enabled']) === true;

/**
 * `later` and `earlier` must differ when `inUse` (0 picks a free port, so it
 * never clashes). Blamed on the later field, unless only the earlier one was set.
 */
function portPair(later: Path, earlier: Path, inUse: (fields: Fields) => boolean): Rule {
  return {
    field: [later, earlier],
    broken: (fields) => {
      const value = fields.value(later);
      return inUse(fields) && typeof value === 'number' && value !== 0 && fields.value(earlier) === value;
    },
    expected: (fields, blamed) =>
      `an integer from 0 to 65535 other than ${renderPath(blamed === later ? earlier : later)} (${String(fields.value(later))}); 0 picks a free port`,
  };
}

/** Every listener in use needs its own port; the credentials listener's is `listen.port`, or `agent.port` in agent mode. */
const PORT_RULES: Rule[] = (['sidecar', 'agent'] as const).flatMap((mode) => {
  const credentials: Path = mode === 'agent' ? ['agent', 'port'] : ['listen', 'port'];
  const apiPort: Path = ['lakeformationApi', 'port'];
  const icebergPort: Path = ['iceberg', 'port'];
  return [
    portPair(['admin', 'port'], credentials, () => true),
    portPair(apiPort, credentials, lakeformationApiEnabled),
    // Once per field: a port equal to the credentials listener's is reported as that clash.
    portPair(
      apiPort,
      ['admin', 'port'],
      (fields) => lakeformationApiEnabled(fields) && fields.value(apiPort) !== fields.value(credentials),
    ),
    portPair(icebergPort, credentials, icebergEnabled),
    portPair(icebergPort, ['admin', 'port'], (fields) => icebergEnabled(fields) && fields.value(icebergPort) !== fields.value(credentials)),
    portPair(
      icebergPort,
      apiPort,
      (fields) =>
        icebergEnabled(fields) &&
        lakeformationApiEnabled(fields) &&
        fields.value(icebergPort) !== fields.value(credentials) &&
        fields.value(icebergPort) !== fields.value(['admin', 'port']),
    ),
  ].map((rule): Rule => ({ ...rule, mode }));
});

/** Fields that belong to table and partition profiles only (the data-location operation has none of them). */
const TABLE_ONLY_PROFILE_FIELDS = ['partition', 'permissions', 'supportedPermissionTypes', 's3Path'] as const;

// Presence as written (`given`), so an invalid tableArn still counts as "names a table".
const namesTable = (fields: Fields) => fields.given(['profiles', '*', 'tableArn']);
const namesLocations = (fields: Fields) => fields.given(['profiles', '*', 'locations']);

/** A profile names a table (`tableArn`) or S3 locations (`locations`), never both and never neither; each kind accepts only its own operation's fields. */
const PROFILE_RULES: Rule[] = [
  {
    field: ['profiles', '*', 'locations'],
    broken: (fields) => namesTable(fields) && namesLocations(fields),
    expected: 'not set together with tableArn: a profile names one table or a list of S3 locations',
  },
  {
    field: ['profiles', '*', 'tableArn'],
    broken: (fields) => !namesTable(fields) && !namesLocations(fields),
    expected: 'a Glue table ARN, or set locations (a list of s3:// locations) instead',
  },
  {
    field: ['profiles', '*', 'credentialsScope'],
    broken: (fields) => namesTable(fields) && !namesLocations(fields) && fields.given(['profiles', '*', 'credentialsScope']),
    expected: 'only on a profile with locations: the table operations have no CredentialsScope',
  },
  ...TABLE_ONLY_PROFILE_FIELDS.map(
    (key): Rule => ({
      field: ['profiles', '*', key],
      broken: (fields) => namesLocations(fields) && !namesTable(fields) && fields.given(['profiles', '*', key]),
      expected: `not on a profile with locations: GetTemporaryDataLocationCredentials has no ${key}`,
    }),
  ),
  {
    field: ['profiles', '*', 's3Path'],
    broken: (fields) =>
      fields.value(['profiles', '*', 'partition']) !== undefined &&
      fields.value(['profiles', '*', 's3Path']) !== undefined &&
      !fields.given(['profiles', '*', 'locations']),
    expected: 'no s3Path on a profile with a partition: GetTemporaryGluePartitionCredentials has no S3Path',
  },
];

const bindingsOf = (fields: Fields): unknown[] => {
  const bindings = fields.value(['agent', 'bindings']);
  return Array.isArray(bindings) ? bindings : [];
};
const who = (binding: unknown) =>
  isPlainObject(binding) ? `${String(binding['namespace'])}/${String(binding['serviceAccount'])}` : undefined;

/** The index of an earlier binding for the same namespace and service account as this one. */
function earlierBinding(fields: Fields): number | undefined {
  const index = fields.keys[0] as number;
  const bindings = bindingsOf(fields);
  const own = who(bindings[index]);
  const earlier = bindings.slice(0, index).findIndex((binding) => who(binding) === own);
  return earlier === -1 ? undefined : earlier;
}

const profileNames = (fields: Fields) => {
  const profiles = fields.value(['profiles']);
  return isPlainObject(profiles) ? Object.keys(profiles) : [];
};

/** The first binding that lists tables or locations (served on the dynamic and native routes). */
const firstDynamicBinding = (fields: Fields) =>
  bindingsOf(fields).findIndex(
    (binding) => isPlainObject(binding) && (isArrayWithItems(binding['tables']) || isArrayWithItems(binding['locations'])),
  );

/**
 * Agent mode: the node it serves, no listener without authentication, and
 * bindings that name what exists. The node-wide dynamic allow-lists are not
 * used there (each binding is its identity's allow-list), so setting them is
 * a mistake worth stopping on.
 */
const AGENT_RULES: Rule[] = [
  {
    field: ['agent', 'nodeName'],
    broken: (fields) => fields.value(['agent', 'nodeName']) === undefined,
    expected: 'the node this agent serves, required in agent mode (LFCS_AGENT_NODE_NAME; the chart sets it from spec.nodeName)',
  },
  {
    field: ['lakeformationApi', 'enabled'],
    broken: (fields) => fields.value(['lakeformationApi', 'enabled']) === true,
    expected: 'false in agent mode: that listener takes no token, and on a node every hostNetwork pod could reach it',
  },
  {
    field: ['iceberg', 'enabled'],
    broken: icebergEnabled,
    expected: "false in agent mode: the gateway listens on loopback only, which the node's pods cannot reach (sidecar mode serves it)",
  },
  ...(['allowedTables', 'allowedLocations'] as const).map(
    (field): Rule => ({
      field: ['dynamic', field],
      broken: (fields) => isArrayWithItems(fields.value(['dynamic', field])),
      expected: `empty in agent mode: each identity's agent.bindings[].${field === 'allowedTables' ? 'tables' : 'locations'} is its allow-list`,
    }),
  ),
  {
    field: ['agent', 'bindings', '*'],
    broken: (fields) => earlierBinding(fields) !== undefined,
    expected: (fields) =>
      `one entry per namespace and service account (${who(bindingsOf(fields)[fields.keys[0] as number])} is also agent.bindings[${earlierBinding(fields)}])`,
  },
  {
    field: ['agent', 'bindings', '*', 'profiles', '*'],
    broken: (fields) => {
      const name = fields.value(['agent', 'bindings', '*', 'profiles', '*']);
      return typeof name !== 'string' || !profileNames(fields).includes(name);
    },
    expected: (fields) => {
      const name = fields.value(['agent', 'bindings', '*', 'profiles', '*']);
      const configured = profileNames(fields);
      const closest = typeof name === 'string' ? suggest(name, configured) : undefined;
      return `the name of a configured profile${closest ? ` (did you mean "${closest}"?)` : ''}; configured: ${configured.join(', ') || 'none'}`;
    },
  },
  {
    field: ['dynamic', 'enabled'],
    broken: (fields) => fields.value(['dynamic', 'enabled']) !== true && firstDynamicBinding(fields) !== -1,
    expected: (fields) =>
      `true when a binding lists tables or locations (agent.bindings[${firstDynamicBinding(fields)}] does): they are served on the dynamic and native routes`,
  },
];

/** Every cross-field rule, in the order their problems are reported. */
export const RULES: readonly Rule[] = [
  ...RELATIONS.map((relation) => relationRule(relation, RELATIONS, describe)),
  {
    field: ['listen', 'host'],
    mode: 'sidecar',
    broken: (fields) => fields.value(['listen', 'allowNonLoopback']) === false && nonLoopback(fields.value(['listen', 'host'])),
    expected:
      `${LOOPBACK_EXPECTED}; to listen elsewhere anyway, set listen.allowNonLoopback: true ` +
      '(command-line flag --unsafe-allow-non-loopback)',
  },
  {
    field: ['lakeformationApi', 'host'],
    broken: (fields) => nonLoopback(fields.value(['lakeformationApi', 'host'])),
    // No escape hatch: this listener takes no token, so loopback is its only guard.
    expected: `${LOOPBACK_EXPECTED} (this listener takes no token, so there is no override)`,
  },
  ...PORT_RULES,
  {
    field: ['dynamic', 'enabled'],
    broken: (fields) => fields.value(['lakeformationApi', 'enabled']) === true && fields.value(['dynamic', 'enabled']) === false,
    expected:
      'true when lakeformationApi.enabled is true: its callers name any table, so dynamic.allowedTables ' +
      'decides which tables it serves, exactly as for the dynamic and native routes',
  },
  {
    field: ['dynamic', 'enabled'],
    broken: (fields) => icebergEnabled(fields) && fields.value(['dynamic', 'enabled']) === false,
    expected:
      "true when iceberg.enabled is true: the gateway's callers name any table of its catalogs, so dynamic.allowedTables " +
      'decides which tables it serves (in agent mode, each binding), exactly as for the dynamic routes',
  },
  {
    // Blame tokenFile: its value is a path, safe to show; the token is not.
    field: ['auth', 'tokenFile'],
    broken: (fields) => fields.value(['auth', 'token']) !== undefined && typeof fields.value(['auth', 'tokenFile']) === 'string',
    expected:
      'not set together with a token from LFCS_AUTH_TOKEN: set exactly one token source, ' +
      'so there is no doubt which token the clients must send',
  },
  {
    field: ['dynamic', 'allowedTables'],
    mode: 'sidecar',
    broken: (fields) => {
      const tables = fields.value(['dynamic', 'allowedTables']);
      return (
        fields.value(['dynamic', 'enabled']) === true &&
        Array.isArray(tables) &&
        tables.length === 0 &&
        !isArrayWithItems(fields.value(['dynamic', 'allowedLocations']))
      );
    },
    expected:
      'at least one table ARN pattern when dynamic.enabled is true, ' +
      'such as arn:aws:glue:us-east-1:123456789012:table/sales/* (or a location pattern in dynamic.allowedLocations)',
  },
  ...AGENT_RULES.map((rule): Rule => ({ ...rule, mode: 'agent' })),
  ...PROFILE_RULES,
];
