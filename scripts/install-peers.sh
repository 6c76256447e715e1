#!/usr/bin/env bash
# Installs the real peers that the interop tests run against. Idempotent: a peer already on PATH is
# left alone. promtool, the Pushgateway, InfluxDB 1.x, VictoriaMetrics and Alertmanager so far; the rest of the peers (see
# shared/peers/README.md) join as interop tests need them. Nothing is started here: each interop
# test starts its own peer on a free 127.0.0.1 port with its data in a temporary directory.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "install-peers: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

apt_install() {
  # Debian's init scripts would start daemons on 0.0.0.0 ports at install time; a temporary
  # policy-rc.d that denies every start prevents that (shared/peers/README.md, gotcha 11).
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    created_policy=1
  fi
  local status=0
  as_root apt-get update -q || status=$?
  if [ "$status" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" || status=$?
  fi
  if [ "$created_policy" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  return "$status"
}

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
