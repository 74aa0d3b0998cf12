#!/usr/bin/env bash
# Installs Debian's `zookeeper` package (server jars + zkCli) when it is missing; idempotent.
# Tests start their own ensembles from these jars (test/helpers/zookeeper.ts); no system service is started.
# Needs root (apt-get) on a fresh machine; prints the classpath directory when done.
set -euo pipefail

have_zookeeper() {
  ls /usr/share/java/zookeeper*.jar >/dev/null 2>&1 && command -v java >/dev/null 2>&1
}

if ! have_zookeeper; then
  if [ "$(id -u)" != 0 ]; then
    echo "zookeeper.sh: ZooKeeper is not installed and installing it needs root: run 'sudo apt-get install -y zookeeper'" >&2
    exit 1
  fi
  echo "zookeeper.sh: installing Debian's zookeeper package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends zookeeper >&2
fi

if ! have_zookeeper; then
  echo "zookeeper.sh: zookeeper package installed but /usr/share/java/zookeeper*.jar or java is missing" >&2
  exit 1
fi
echo /usr/share/java
