#!/usr/bin/env node
import { Command } from 'commander';

const program = new Command('lfcs');
program.description('Lake Formation credential sidecar');
await program.parseAsync(process.argv);
