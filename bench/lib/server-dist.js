/** The built @vigil/server store, or a clear message when packages/server/dist is missing. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const STORE = new URL('../../packages/server/dist/store/sqlite-store.js', import.meta.url);

export async function loadStore() {
  if (!existsSync(fileURLToPath(STORE))) {
    console.error('packages/server/dist is missing: run `npx tsc -b packages/server` first');
    process.exit(2);
  }
  return import(STORE.href);
}
