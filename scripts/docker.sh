#!/usr/bin/env bash
# A private Docker Engine for tests and development, with settings that work on these machines (no iptables, no
# default bridge, vfs storage), and a locally built test image (no registry is reachable).
#
#   scripts/docker.sh install        install Debian's docker.io and busybox-static when missing (root)
#   scripts/docker.sh start [dir]    install if needed, start dockerd on <dir>/docker.sock unless already running,
#                                    wait until it answers, build trireme-test/busybox:local if missing;
#                                    prints DOCKER_HOST=unix://<dir>/docker.sock
#   scripts/docker.sh stop [dir]     stop that dockerd (by its pid file)
#
# dir defaults to $TRIREME_DOCKER_DIR or /tmp/trireme-docker (kept short: containerd's socket paths live under it).
# Every step is idempotent: running `start` twice reuses the daemon and the image.
set -euo pipefail

TEST_IMAGE=trireme-test/busybox:local
cmd=${1:-start}
dir=${2:-${TRIREME_DOCKER_DIR:-/tmp/trireme-docker}}
sock="$dir/docker.sock"
pidfile="$dir/docker.pid"

log() { echo "docker.sh: $*" >&2; }
# shellcheck source=lib/apt-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt_install_without_services "${missing[@]}" || exit 1
}

docker_cli() { docker -H "unix://$sock" "$@"; }

daemon_answers() { [ -S "$sock" ] && docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_daemon() {
  mkdir -p "$dir/data" "$dir/exec"
  if daemon_answers; then return 0; fi
  # A stale pid file (daemon killed) would make dockerd refuse to start.
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  if [ ! -f "$pidfile" ]; then
    log "starting dockerd on $sock"
    # setsid: the daemon outlives the shell (and test process) that started it; later runs reuse it.
    # 9>&-: it must not inherit the start lock, or every later `start` would wait for the daemon to exit.
    setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
      --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" -H "unix://$sock" \
      >>"$dir/dockerd.log" 2>&1 </dev/null 9>&- &
  fi
  for _ in $(seq 1 300); do
    daemon_answers && return 0
    sleep 0.2
  done
  log "dockerd did not answer on $sock within 60s; last lines of $dir/dockerd.log:"
  tail -n 20 "$dir/dockerd.log" >&2 || true
  exit 1
}

build_test_image() {
  docker_cli image inspect "$TEST_IMAGE" >/dev/null 2>&1 && return 0
  log "building $TEST_IMAGE from /bin/busybox"
  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/var/www" "$rootfs/root"
  cp /bin/busybox "$rootfs/bin/busybox"
  # Every applet (sh, echo, sleep, cat, date, httpd, wget, ...) as a symlink to /bin/busybox.
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker_cli import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$TEST_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

stop_daemon() {
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # The daemon may leave mounts behind (its default network namespace, container layers): unmount them so the
  # directory can be removed.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

case "$cmd" in
  install) install_packages ;;
  start)
    install_packages
    # Test files start in parallel: one of them starts the daemon and builds the image, the others wait and reuse.
    mkdir -p "$dir"
    exec 9>"$dir/start.lock"
    flock 9
    start_daemon; build_test_image
    echo "DOCKER_HOST=unix://$sock" ;;
  stop) stop_daemon ;;
  *) log "usage: scripts/docker.sh install|start|stop [dir]"; exit 2 ;;
esac
