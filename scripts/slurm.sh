#!/usr/bin/env bash
# A private single-node Slurm cluster on loopback, the comparison peer of the Marathon scale-up bench
# (`npm run bench:marathon -- scale`). Nothing system-wide is started or configured: munged, slurmctld and slurmd run
# from <dir> with their own key, sockets, state, logs and ports.
#
#   scripts/slurm.sh install        install Debian's slurm-wlm and munge when missing (root, apt-get)
#   scripts/slurm.sh start [dir]    install if needed, write <dir>/slurm.conf, start munged + slurmctld + slurmd
#                                   unless already running, wait until the node is idle; prints SLURM_CONF=<dir>/slurm.conf
#   scripts/slurm.sh stop [dir]     cancel every job, stop slurmd, slurmctld and munged (by their pid files)
#
# dir defaults to $TRIREME_SLURM_DIR or /tmp/trireme-slurm. Clients (sbatch, squeue, scancel) find the cluster
# through SLURM_CONF. Ports: $TRIREME_SLURM_PORT (slurmctld, default 16817) and the next one (slurmd).
# The one node claims 1,000 CPUs (SLURM_NODE_CPUS) whatever the machine has, so 1,000 one-CPU `sleep` tasks can run
# at once on a 2-core machine; `SlurmdParameters=config_overrides` keeps slurmd from draining it for "low CPUs".
set -euo pipefail

cmd=${1:-start}
dir=${2:-${TRIREME_SLURM_DIR:-/tmp/trireme-slurm}}
ctld_port=${TRIREME_SLURM_PORT:-16817}
slurmd_port=$((ctld_port + 1))
cpus=${SLURM_NODE_CPUS:-1000}
conf="$dir/slurm.conf"
sock="$dir/munge/munge.socket"

log() { echo "slurm.sh: $*" >&2; }
# shellcheck source=lib/apt-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 || missing+=(slurm-wlm)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt_install_without_services "${missing[@]}" || exit 1
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge" "$dir/jobs"
  chmod 755 "$dir/munge"  # munged wants its socket directory searchable by all
  cat >"$conf" <<EOF
# Written by scripts/slurm.sh: one node on loopback, everything private to $dir.
ClusterName=trireme-bench
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups, no accounting: plain processes, like Trireme's process containerizer.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Per-CPU allocation, memory not tracked: each 1-CPU task takes one of the node's $cpus CPUs.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MaxArraySize=100001
MaxJobCount=100000
# Let one scheduling pass look at every pending task (the default stops at 100 per pass), and schedule batch jobs
# at once (the default may hold them up to 3 s to batch submissions).
SchedulerParameters=default_queue_depth=2000,sched_min_interval=0,batch_sched_delay=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000000 State=UNKNOWN
PartitionName=bench Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  running "$dir/munged.pid" && return 0
  [ -f "$dir/munge/munge.key" ] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge/munge.key"; }
  munged --force --socket="$sock" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
}

start() {
  install_packages
  write_conf
  start_munge
  export SLURM_CONF="$conf"
  running "$dir/slurmctld.pid" || slurmctld -f "$conf"
  running "$dir/slurmd.pid" || slurmd -f "$conf" -N localhost
  local i
  for i in $(seq 1 150); do
    if sinfo -h -n localhost -o '%t' 2>/dev/null | grep -qx 'idle'; then echo "SLURM_CONF=$conf"; return 0; fi
    sleep 0.2
  done
  log "the node did not become idle in 30 s; last lines of the logs:"
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/munged.log" >&2 || true
  exit 1
}

stop_pid() {
  local pidfile=$1 i
  running "$pidfile" || return 0
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  if running "$dir/slurmctld.pid"; then SLURM_CONF="$conf" scancel --quiet --user=root 2>/dev/null || true; fi
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munged.pid"
}

case "$cmd" in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  *) log "usage: scripts/slurm.sh install|start|stop [dir]"; exit 2 ;;
esac
