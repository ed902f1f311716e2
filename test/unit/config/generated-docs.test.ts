import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_BEGIN, configReferenceMarkdown, updateChartSchema, updateReadme } from '../../../src/config/reference.js';
import { ENV_VARIABLES } from '../../../src/config/index.js';

const README = new URL('../../../README.md', import.meta.url);
const CHART_SCHEMA = new URL('../../../helm/lakeformation-credential-sidecar/values.schema.json', import.meta.url);

// The README's configuration table and the chart's values schema are generated
// from the configuration schema. Run `npm run generate` after changing a field.
describe('documents generated from the configuration schema', () => {
  it('README.md holds the current configuration reference', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(README_BEGIN);
    expect(updateReadme(readme), 'README.md drifted from the schema: run npm run generate').toBe(readme);
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
    const readme = readFileSync(README, 'utf8');
    const tampered = readme.replace('| `LFCS_CACHE_MIN_SERVE_SECONDS` | `960` |', '| `LFCS_CACHE_MIN_SERVE_SECONDS` | `900` |');
    expect(tampered).not.toBe(readme);
    expect(updateReadme(tampered)).toBe(readme);
  });
});
