#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (npm run test:browser), which drive it with
# playwright-core: the project never downloads a browser of its own. Idempotent: an existing
# /usr/bin/chromium is left alone.
set -euo pipefail

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

if [ ! -x /usr/bin/chromium ]; then
  echo "install-browser: installing chromium (Debian package)" >&2
  apt_install chromium
fi
# Debian's /usr/bin/chromium wrapper script prints a shell warning on --version; the package knows it.
dpkg-query -W -f='chromium ${Version}\n' chromium 2>/dev/null || /usr/lib/chromium/chromium --version
