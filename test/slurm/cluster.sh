#!/bin/bash
# A real single-node Slurm cluster for the tests: munge, slurmctld, slurmd
# from Debian's packages, started by hand (no systemd here), with the
# Clearly SPANK plugin in plugstack.conf. Run as root.
#
#   cluster.sh start PLUGIN.so [PLUGIN ARGS...]   configure and start
#   cluster.sh stop                              stop the daemons
#   cluster.sh status                            exit 0 if the node is idle
set -euo pipefail

conf_dir=/etc/slurm
host=$(hostname -s)

running() { # NAME: is a live (not zombie) process of that name there?
   ps -C "$1" -o stat= 2>/dev/null | grep -qv '^Z'
}

start_munge() {
   install -d -o munge -g munge -m 0755 /run/munge
   if [[ ! -s /etc/munge/munge.key ]]; then
      mungekey --create --keyfile /etc/munge/munge.key
      chown munge:munge /etc/munge/munge.key
      chmod 0400 /etc/munge/munge.key
   fi
   running munged || runuser -u munge -- /usr/sbin/munged
   for _ in $(seq 50); do munge -n | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
   echo "cluster.sh: munge does not work" >&2
   return 1
}

write_config() {
   install -d -o slurm -g slurm /var/spool/slurmctld /run/slurm /var/log/slurm
   install -d /var/spool/slurmd
   cat > "$conf_dir/slurm.conf" <<CONF
# Written by Clearly's test harness (test/slurm/cluster.sh).
ClusterName=clearly
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
KillWait=5
# More CPUs than the machine has, so that tests can start several tasks
# per step (a 2-core CI machine): slurmd must take the configured values.
SlurmdParameters=config_overrides
NodeName=$host CPUs=8 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
}

start() {
   local plugin=${1:?usage: cluster.sh start PLUGIN.so [ARGS...]}
   shift
   stop >/dev/null 2>&1 || true
   start_munge
   write_config
   mkdir -p "$conf_dir/plugstack.conf.d"
   [[ -f $conf_dir/plugstack.conf ]] \
      || echo "include $conf_dir/plugstack.conf.d/*.conf" > "$conf_dir/plugstack.conf"
   echo "required $plugin $*" > "$conf_dir/plugstack.conf.d/clearly.conf"
   /usr/sbin/slurmctld
   /usr/sbin/slurmd
   for _ in $(seq 100); do
      if status; then return 0; fi
      sleep 0.2
   done
   echo "cluster.sh: the node did not become idle; logs:" >&2
   tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2
   return 1
}

status() {
   timeout 5 sinfo -h -N -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'
}

stop() {
   timeout 5 scontrol shutdown >/dev/null 2>&1 || true
   for _ in $(seq 50); do
      running slurmctld || running slurmd || break
      sleep 0.1
   done
   pkill -x slurmctld || true
   pkill -x slurmd || true
   rm -f "$conf_dir/plugstack.conf.d/clearly.conf"
}

case ${1:-} in
   start) shift; start "$@" ;;
   stop) stop ;;
   status) status ;;
   *) echo "usage: cluster.sh start PLUGIN.so [ARGS...] | stop | status" >&2; exit 64 ;;
esac
