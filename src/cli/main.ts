#!/usr/bin/env node
/**
 * lfcs's entry point. Two things come before the command line is parsed
 * (commander) and the configuration validated (zod), because they pay off
 * only when done first: Node's compile cache, so that what loads next is not
 * compiled again on every start; and, for `serve` and `demo`, the V8 heap
 * options lfcs re-executes with, decided from what early-config.ts reads, so
 * that the process being replaced has loaded little. Then the command runs
 * (program.ts), in the re-executed process when there is one.
 */
import { enableCompileCache } from './compile-cache.js';
import { applyV8OptionsEarly } from './reexec.js';

enableCompileCache();
await applyV8OptionsEarly(process.argv.slice(2));
await import('./program.js');
