#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (npm run test:browser), which drive it with
# playwright-core: the project never downloads a browser of its own. Idempotent: an existing
# /usr/bin/chromium is left alone.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "install-browser: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "install-browser: installing chromium (Debian package)" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
fi
# Debian's /usr/bin/chromium wrapper script prints a shell warning on --version; the package knows it.
dpkg-query -W -f='chromium ${Version}\n' chromium 2>/dev/null || /usr/lib/chromium/chromium --version
