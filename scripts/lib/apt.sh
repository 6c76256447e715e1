# Sourced by the install scripts: running a command as root, and installing Debian packages without
# letting their init scripts start daemons. Messages are prefixed with the calling script's name.

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "$(basename "$0" .sh): need root (or sudo) to run: $*" >&2
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
