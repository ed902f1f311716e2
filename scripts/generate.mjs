#!/usr/bin/env node
// Writes the documents generated from the code: the configuration reference
// and the `config` part of the chart's values schema (from the configuration
// schema), and the error table (from the error catalogue) in every docs page
// that carries its markers. Run through `npm run generate` (which builds
// first); a unit test fails when a committed copy drifts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { updateChartSchema, updateReadme } from '../dist/config/reference.js';
import { updateErrorTable } from '../dist/core/error-catalogue.js';

const targets = [
  ['README.md', updateReadme],
  ['helm/lakeformation-credential-sidecar/values.schema.json', updateChartSchema],
  // Pages without the `<!-- errors:start -->` ... `<!-- errors:end -->` markers are left as they are.
  ['docs/operations.md', updateErrorTable],
  ['README.md', updateErrorTable],
];
for (const [file, update] of targets) {
  if (!existsSync(file)) continue;
  const before = readFileSync(file, 'utf8');
  const after = update(before);
  if (after !== before) writeFileSync(file, after);
  console.log(`${after === before ? 'unchanged' : 'updated  '} ${file}`);
}
