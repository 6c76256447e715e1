#!/usr/bin/env node
// The `vigil` command. A committed file rather than the built one, so that `npm ci` links it onto
// node_modules/.bin before anything is built (npm links a bin only when its target exists).
import '../dist/cli/main.js';
