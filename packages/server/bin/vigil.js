#!/usr/bin/env node
// The `vigil` command. A committed file rather than the built one, so that `npm ci` links it onto
// node_modules/.bin before anything is built (npm links a bin only when its target exists).
// launch() runs `serve` and `demo` in a Node whose heap limit is memory.limit (docs/memory.md).
import { launch } from '../dist/cli/launch.js';

await launch(process.argv.slice(2));
