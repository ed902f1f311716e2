// `node --import <this file>`: appends the URL of every module the ES module
// loader loads to the file named by MODULE_TRACE_FILE (tests only).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
