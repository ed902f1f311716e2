import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_BEGIN, configReferenceMarkdown, updateChartSchema, updateConfigReference } from '../../../src/config/reference.js';
import { ENV_VARIABLES } from '../../../src/config/index.js';

const CONFIGURATION_PAGE = new URL('../../../docs/configuration.md', import.meta.url);
const CHART_SCHEMA = new URL('../../../helm/lakeformation-credential-sidecar/values.schema.json', import.meta.url);

// The configuration table of docs/configuration.md and the chart's values schema are generated
// from the configuration schema. Run `npm run generate` after changing a field.
describe('documents generated from the configuration schema', () => {
  it('docs/configuration.md holds the current configuration reference', () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8');
    expect(page).toContain(REFERENCE_BEGIN);
    expect(updateConfigReference(page), 'docs/configuration.md drifted from the schema: run npm run generate').toBe(page);
  });

  it("the chart's values.schema.json holds the current config schema", () => {
    const text = readFileSync(CHART_SCHEMA, 'utf8');
    expect(updateChartSchema(text), 'values.schema.json drifted from the schema: run npm run generate').toBe(text);
  });

  it("uses only regex syntax Helm's validator (Go RE2) accepts in the chart schema: no lookaround, no backreferences", () => {
    // Helm refuses the whole values.schema.json (every install fails) on one pattern RE2 cannot compile.
    const patterns: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'pattern' && typeof value === 'string') patterns.push(value);
          else collect(value);
        }
      }
    };
    collect(JSON.parse(readFileSync(CHART_SCHEMA, 'utf8')));
    expect(patterns.length).toBeGreaterThan(10);
    expect(patterns.filter((p) => /\(\?<?[=!]|\\[1-9]/.test(p))).toEqual([]);
  });

  it('names every LFCS_* variable and every default in the reference', () => {
    const table = configReferenceMarkdown();
    for (const variable of ENV_VARIABLES) expect(table).toContain(`\`${variable.name}\``);
    expect(table).toMatch(/`cache\.refreshBeforeExpirySeconds` \| `LFCS_CACHE_REFRESH_BEFORE_EXPIRY_SECONDS` \| `1800` \|/);
  });

  it('detects drift: a changed default changes the generated text', () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8');
    const tampered = page.replace('| `LFCS_CACHE_MIN_SERVE_SECONDS` | `960` |', '| `LFCS_CACHE_MIN_SERVE_SECONDS` | `900` |');
    expect(tampered).not.toBe(page);
    expect(updateConfigReference(tampered)).toBe(page);
  });
});
