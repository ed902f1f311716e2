/**
 * Documents generated from the configuration schema, so that no document
 * repeats a default, a range or a variable name by hand:
 * - the configuration reference of docs/configuration.md (`lfcs config reference`);
 * - the JSON Schema of the config file (`lfcs config schema`), whose
 *   chart-settable part is the Helm chart's `values.schema.json` `config`.
 *
 * `npm run generate` writes both into the repository; a test fails when a
 * committed copy drifts from the schema.
 */
import { z } from 'zod';
import { ENV_VARIABLES } from './env.js';
import { configSchema, describeField, schemaAt } from './schema.js';

/** Sections the chart fills in itself (from `region`, `ports`, `lakeformationApi` and `sidecar.tokenDir`). */
const CHART_OWNED_SECTIONS = ['region', 'listen', 'admin', 'lakeformationApi', 'auth'] as const;

/** Markers around the generated block in docs/configuration.md. */
export const REFERENCE_BEGIN = '<!-- BEGIN GENERATED: configuration reference (npm run generate) -->';
export const REFERENCE_END = '<!-- END GENERATED: configuration reference -->';

/** The field's default (what parsing "not set" gives), or `undefined` when it has none. */
function defaultOf(path: readonly string[]): unknown {
  const parsed = schemaFieldNode(path)?.safeParse(undefined);
  return parsed?.success ? parsed.data : undefined;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderDefault(value: unknown): string {
  if (value === undefined) return '';
  return `\`${JSON.stringify(value)}\``;
}

/** The configuration reference as a Markdown table: one row per field, with its variable. */
export function configReferenceMarkdown(): string {
  const rows = ['| field | variable | default | accepted | why |', '|---|---|---|---|---|'];
  for (const variable of ENV_VARIABLES) {
    const path = variable.path;
    const field = schemaFieldNode(path);
    const secret = variable.kind === 'secret';
    rows.push(
      `| \`${path.join('.')}\` | \`${variable.name}\` | ${secret ? '' : renderDefault(defaultOf(path))} | ` +
        `${cell(describeField(path) ?? '')} | ${cell(field?.description ?? '')} |`,
    );
  }
  // Mappings inside a section (upstream.assumeRole): file only, one row per field.
  for (const [section, sectionNode] of Object.entries(configSchema.shape as Record<string, z.ZodType>)) {
    const shape = unwrapped(sectionNode);
    if (!(shape instanceof z.ZodObject)) continue;
    for (const [key, child] of Object.entries(shape.shape as Record<string, z.ZodType>)) {
      const inner = unwrapped(child);
      if (!(inner instanceof z.ZodObject)) continue;
      rows.push(`| \`${section}.${key}\` | (file only) | | see below | ${cell(child.description ?? '')} |`);
      for (const [field, node] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        const path = [section, key, field];
        rows.push(
          `| \`${path.join('.')}\` | | ${renderDefault(defaultOf(path))} | ${cell(describeField(path) ?? '')} | ${cell(node.description ?? '')} |`,
        );
      }
    }
  }
  const profiles = schemaFieldNode(['profiles']);
  rows.push(`| \`profiles.<name>\` | (file only) | \`{}\` | see below | ${cell(profiles?.description ?? '')} |`);
  const profileShape = schemaAt(['profiles', 'x']);
  if (profileShape instanceof z.ZodObject) {
    for (const [key, node] of Object.entries(profileShape.shape as Record<string, z.ZodType>)) {
      rows.push(
        `| \`profiles.<name>.${key}\` | | | ${cell(describeField(['profiles', 'x', key]) ?? '')} | ${cell(node.description ?? '')} |`,
      );
    }
  }
  return rows.join('\n');
}

function unwrapped(node: z.ZodType): z.ZodType {
  let current = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The field as written in its section's shape (so its `.describe()` text is found). */
function schemaFieldNode(path: readonly string[]): z.ZodType | undefined {
  const parent = path.length === 1 ? configSchema : schemaAt(path.slice(0, -1));
  if (!(parent instanceof z.ZodObject)) return undefined;
  return (parent.shape as Record<string, z.ZodType>)[path[path.length - 1] as string];
}

/** JSON Schema (draft-07) of the configuration file, as a user writes it (defaults optional). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, {
    target: 'draft-7',
    io: 'input',
    // `secret` is lfcs's own marker, not a JSON Schema keyword.
    override: (ctx) => {
      delete (ctx.jsonSchema as Record<string, unknown>)['secret'];
    },
  }) as Record<string, unknown>;
}

/** The part of {@link configJsonSchema} that the chart's `config` value may set. */
export function chartConfigJsonSchema(): Record<string, unknown> {
  const full = configJsonSchema();
  const properties = { ...(full['properties'] as Record<string, unknown>) };
  for (const name of CHART_OWNED_SECTIONS) delete properties[name];
  return {
    type: 'object',
    additionalProperties: false,
    description:
      'The sidecar config file without region/listen/admin/lakeformationApi/auth, which the chart fills in from ' +
      'region, ports, lakeformationApi and sidecar.tokenDir. Generated from the sidecar configuration schema ' +
      '(npm run generate); cross-field rules are checked by the sidecar (lfcs config check).',
    properties,
  };
}

/** A document with its generated block replaced by the current reference. Throws if the markers are missing. */
export function updateConfigReference(document: string): string {
  const begin = document.indexOf(REFERENCE_BEGIN);
  const end = document.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) throw new Error(`the document lacks the markers ${REFERENCE_BEGIN} ... ${REFERENCE_END}`);
  return `${document.slice(0, begin + REFERENCE_BEGIN.length)}\n${configReferenceMarkdown()}\n${document.slice(end)}`;
}

/** The chart's values.schema.json text with its `config` property replaced by {@link chartConfigJsonSchema}. */
export function updateChartSchema(text: string): string {
  const schema = JSON.parse(text) as { properties: Record<string, unknown> };
  schema.properties['config'] = chartConfigJsonSchema();
  return `${JSON.stringify(schema, null, 2)}\n`;
}
