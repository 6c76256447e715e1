#!/usr/bin/env bash
# Installs the real peers that the interop tests run against. Idempotent: a peer already on PATH is
# left alone. promtool, the Pushgateway, InfluxDB 1.x, VictoriaMetrics and Alertmanager so far; the rest of the peers (see
# shared/peers/README.md) join as interop tests need them. Nothing is started here: each interop
# test starts its own peer on a free 127.0.0.1 port with its data in a temporary directory.
set -euo pipefail

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

# binary on PATH -> Debian package that ships it
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)
command -v influxd >/dev/null || missing+=(influxdb)
command -v victoria-metrics >/dev/null || missing+=(victoria-metrics)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
# Not a peer: the pseudo-terminal that `vigil top` is tested in (test/interop/top.test.ts).
command -v tmux >/dev/null || missing+=(tmux)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-peers: installing ${missing[*]} (Debian packages)" >&2
  apt_install "${missing[@]}"
fi

promtool --version 2>&1 | head -n 1
prometheus-pushgateway --version 2>&1 | head -n 1
influxd version 2>&1 | head -n 1
tmux -V
# victoria-metrics -version prints nothing in the Debian build; dpkg knows the version
dpkg-query -W -f='victoria-metrics ${Version}\n' victoria-metrics
prometheus-alertmanager --version 2>&1 | head -n 1
