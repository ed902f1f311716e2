#!/usr/bin/env node
// Writes the documents generated from the code: the configuration reference
// (docs/configuration.md) and the `config` part of the chart's values schema
// (from the configuration schema), and the error table (from the error
// catalogue) in docs/operations.md. Run through `npm run generate` (which
// builds first); a unit test fails when a committed copy drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateChartSchema, updateConfigReference } from '../dist/config/reference.js';
import { updateErrorTable } from '../dist/core/error-catalogue.js';

const targets = [
  ['docs/configuration.md', updateConfigReference],
  ['helm/lakeformation-credential-sidecar/values.schema.json', updateChartSchema],
  ['docs/operations.md', updateErrorTable],
];
for (const [file, update] of targets) {
  const before = readFileSync(file, 'utf8');
  const after = update(before);
  if (after !== before) writeFileSync(file, after);
  console.log(`${after === before ? 'unchanged' : 'updated  '} ${file}`);
}
