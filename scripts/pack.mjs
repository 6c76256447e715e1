// `npm run pack` (after the build): the tarballs of @vigil/metrics and @vigil/server in packs/, ready to
// install into any project. The server's carries the dashboard's built files and definitions, copied
// into the package for the time of `npm pack` only, so that in the repository the server keeps
// serving the dashboard workspace's current build.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dashboard = join(root, 'packages/dashboard');
const copy = join(root, 'packages/server/dashboard');
const out = join(root, 'packs');

if (!existsSync(join(dashboard, 'dist/index.html'))) {
  console.error('pack: packages/dashboard/dist is not built; run `npm run build` first');
  process.exit(1);
}
rmSync(copy, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
try {
  cpSync(join(dashboard, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(dashboard, 'dashboards'), join(copy, 'dashboards'), { recursive: true });
  execFileSync('npm', ['pack', '-w', '@vigil/metrics', '-w', '@vigil/server', '--pack-destination', out], {
    cwd: root,
    stdio: 'inherit',
  });
} finally {
  rmSync(copy, { recursive: true, force: true });
}
