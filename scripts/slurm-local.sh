#!/bin/bash
# A single-node Slurm cluster on this machine, without systemd (containers, CI, a laptop): munge,
# slurmctld and slurmd from Debian's slurm-wlm, every core of the machine as the one node of one
# default partition. Used by tests/slurm.test.ts and to try `npm run study -- <name> --emit slurm`.
#
#   sudo bash scripts/slurm-local.sh            # start (installs slurm-wlm and munge with --install)
#   sudo bash scripts/slurm-local.sh --install  # apt-get install -y slurm-wlm munge first
#   sudo bash scripts/slurm-local.sh --stop     # stop the daemons this script started
#
# Finished jobs are listed by `sacct -c` (job completion log; there is no accounting database).
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "slurm-local: run as root (it writes /etc/slurm and starts daemons)." >&2; exit 1; }
PIDS=/run/slurm-local
mkdir -p "$PIDS"

if [ "${1:-}" = "--stop" ]; then
  for d in slurmd slurmctld munged; do
    pid=$(cat "$PIDS/$d.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then echo "stopped $d (pid $pid)"; fi
    rm -f "$PIDS/$d.pid"
  done
  exit 0
fi
if [ "${1:-}" = "--install" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge; fi
for cmd in munged slurmctld slurmd sinfo; do
  command -v "$cmd" >/dev/null || { echo "slurm-local: $cmd not found; install with: apt-get install -y slurm-wlm munge (or pass --install)." >&2; exit 1; }
done

HOST=$(hostname -s)
CPUS=${CPUS:-$(nproc)}

# munge: a key readable by munge only, its socket folder, the daemon as the munge user.
if [ ! -s /etc/munge/munge.key ]; then mungekey --create --keyfile=/etc/munge/munge.key; fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$PIDS/munged.pid"
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<EOF
# Written by scripts/slurm-local.sh: one node ($HOST, $CPUS CPUs), one default partition.
ClusterName=local
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$PIDS/slurmctld.pid
SlurmdPidFile=$PIDS/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

running() { [ -s "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }
running slurmctld || slurmctld
running slurmd || slurmd

for _ in $(seq 1 30); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    sinfo
    exit 0
  fi
  sleep 1
done
echo "slurm-local: the node did not come up within 30 s; see /var/log/slurm/slurmctld.log and slurmd.log." >&2
sinfo >&2 || true
exit 1
