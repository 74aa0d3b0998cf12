# Sourced by the provisioning scripts: apt_install_without_services PKG... installs Debian packages (root only)
# without letting their maintainer scripts start system-wide daemons; the project starts its own, privately.
apt_install_without_services() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install $* (apt-get)" >&2; return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Other provisioning scripts may hold the apt lock at the same time: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  # A policy-rc.d answering 101 ("action forbidden") keeps invoke-rc.d from starting the packages' services
  # (e.g. a system dockerd with settings that do not work here) during the install.
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; placed=1; fi
  local rc=0
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@" >&2 || rc=$?
  [ "$placed" -eq 1 ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || echo "apt-get install $* failed" >&2
  return "$rc"
}
