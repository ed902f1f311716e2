#!/usr/bin/env node
// Writes the documents generated from the code: the configuration reference
// (docs/configuration.md) and the `config` part of the chart's values schema
// (from the configuration schema), and the error table (from the error
// catalogue) in docs/operations.md; and the chart's memory figures
// (values.yaml sidecar.memory) from lfcs's own memory model, which also
// derives its V8 heap bound. Run through `npm run generate` (which builds
// first); a unit test fails when a committed copy drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { MEMORY_MODEL } from '../dist/cli/v8-options.js';
import { updateChartSchema, updateConfigReference } from '../dist/config/reference.js';
import { updateErrorTable } from '../dist/core/error-catalogue.js';

/** values.yaml with sidecar.memory's figures set from MEMORY_MODEL.chart (comments and order kept). */
function updateChartMemory(text) {
  const block = /^( {2}memory:\n)((?: {4}\w+: \d+\n)+)/m;
  if (!block.test(text)) throw new Error('values.yaml: no sidecar.memory block');
  const figures = Object.entries(MEMORY_MODEL.chart)
    .map(([key, value]) => `    ${key}: ${value}\n`)
    .join('');
  return text.replace(block, (_, head) => head + figures);
}

const targets = [
  ['docs/configuration.md', updateConfigReference],
  ['helm/lakeformation-credential-sidecar/values.schema.json', updateChartSchema],
  ['docs/operations.md', updateErrorTable],
  ['helm/lakeformation-credential-sidecar/values.yaml', updateChartMemory],
];
for (const [file, update] of targets) {
  const before = readFileSync(file, 'utf8');
  const after = update(before);
  if (after !== before) writeFileSync(file, after);
  console.log(`${after === before ? 'unchanged' : 'updated  '} ${file}`);
}
