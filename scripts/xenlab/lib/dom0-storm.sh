#!/bin/bash
# xenlab dom0 job for `xenlab run --guests N`: start N domUs at once (a boot
# storm), time each one from the storm's start to its regex, and measure the
# CPU dom0 spends meanwhile.
# Inputs (per-run cpio): /job/job.env (GUESTS, TIMEOUT, LINGER, XL_VERBOSE),
# /job/guest-I.cfg (I = 1..N, domain name guestI), /job/expect, /job/marks.
# Output protocol on hvc0 (-> Xen -> QEMU serial 0), after the storm:
#   "domUI| <line>"        guest I's console log (dumped when the storm ends,
#                          not streamed: streaming would cost dom0 CPU)
#   "xlI| <line>"          output of guest I's xl create
#   "XENLAB-STORM: guest=I result=R create_rc=C created=S first_console=S
#                  markJ=S... userspace=S"
#                          seconds since the storm's start (dom0 clock); "none"
#                          for a milestone never reached; R = MATCH | TIMEOUT |
#                          DOMAIN-GONE | CREATE-FAILED
#   "XENLAB-STORM-CPU: ..." dom0 CPU seconds from the storm's start to the last
#                          guest's match (or the timeout), see below
#   "XENLAB-TIME: storm_last_userspace=S"
#   "XENLAB-RESULT: X"     MATCH only if every guest matched
#
# dom0 CPU is read from dom0's own /proc/stat: user+nice, system, irq+softirq
# ticks (idle, iowait and steal, the time Xen ran a guest instead of a
# runnable dom0 vCPU, left out), both ends read by the shell's builtin `read`,
# so no process is started at the window's edges.  It is the boot work: xl
# create (domain build, kernel decompression for a direct boot, pygrub), the
# xl daemons, xenstored, xenconsoled, blkback.  The harness's own loop starts
# no process (see monitor); its process time is printed as monitor_s, an upper
# bound (a process's time also counts the time its vCPU was stolen, which
# /proc/stat leaves out), and not subtracted.
. /job/job.env
N=${GUESTS:?GUESTS missing from job.env}
: "${TIMEOUT:=120}" "${LINGER:=3}"
CONDIR=/var/log/xen/console
ST=/tmp/storm
mkdir -p "$ST"
HZ=100          # USER_HZ: the unit of /proc/stat and /proc/PID/stat

say() { local u; read -r u _ </proc/uptime; echo "XENLAB: [dom0 $u] $*"; }
# us: US = dom0's uptime in microseconds (10 ms steps), without a fork
us() { local u; read -r u _ </proc/uptime; US=$(( ${u%.*} * 1000000 + 10#${u#*.} * 10000 )); }
# sec USEC: "S.CC" seconds (USEC relative to the storm's start)
sec() { printf -v SEC '%d.%02d' $(( $1 / 1000000 )) $(( $1 % 1000000 / 10000 )); }
# cpu_stat: CPU_U, CPU_S, CPU_I = dom0's user+nice, system, irq+softirq ticks
cpu_stat() {
    local u n s q sq
    read -r _ u n s _ _ q sq _ </proc/stat
    CPU_U=$((u + n)); CPU_S=$s; CPU_I=$((q + sq))
}
# self_ticks: SELF = utime+stime+cutime+cstime of the shell running it
self_ticks() {
    local l
    read -r l </proc/self/stat
    set -- ${l##*\) }         # $1 = field 3 (state); utime = field 14 = $12
    SELF=$(( ${12} + ${13} + ${14} + ${15} ))
}

# stock block script -> the fast one, as in dom0-run.sh
if [ -z "$STOCK_HOTPLUG" ] && [ -x /job/block-fast ]; then
    mv /etc/xen/scripts/block /etc/xen/scripts/block.stock
    cp /job/block-fast /etc/xen/scripts/block
fi
for b in /sys/block/vd*; do
    [ -e "$b" ] && say "disk /dev/${b##*/}: $(cat "$b/size") sectors"
done

MARKS=()
if [ -s /job/marks ]; then
    while IFS= read -r re; do MARKS+=("$re"); done </job/marks
fi
mkfifo "$ST/tick"

# ---------------------------------------------------------------- monitor
# Runs in its own background shell and starts no process in its loop: each
# guest's console log is read line by line as it grows (`read` on an open
# fd) and matched with bash's own ERE (=~), the pause is `read -t` on an idle
# fifo, and a guest counts as gone once its xl daemon's log
# (/var/log/xen/xl-guestI.log, read the same way) says the domain shut down
# or was destroyed.  So the harness adds next to nothing to dom0's CPU.
monitor() {
    local t0=$1 i j l limit=$(( TIMEOUT * 1000000 )) left=$N expect
    local -a done_ first match gone fd xfd part
    local -A mark               # "guest,mark" -> time
    IFS= read -r expect </job/expect
    exec 9<>"$ST/tick"
    self_ticks; local self0=$SELF
    while :; do
        us; local now=$((US - t0))
        for ((i = 1; i <= N; i++)); do
            [ -z "${done_[i]}" ] || continue
            if [ -z "${fd[i]}" ] && [ -s "$CONDIR/guest-guest$i.log" ]; then
                first[i]=$now
                exec {l}<"$CONDIR/guest-guest$i.log"; fd[i]=$l
            fi
            # new complete lines (a partial last line is kept for the next round)
            while [ -n "${fd[i]}" ]; do
                if IFS= read -r -u "${fd[i]}" l; then
                    l=${part[i]}$l; part[i]=
                else
                    part[i]=${part[i]}$l; break
                fi
                l=${l//$'\r'/}
                for ((j = 0; j < ${#MARKS[@]}; j++)); do
                    [ -z "${mark[$i,$j]}" ] && [[ $l =~ ${MARKS[j]} ]] && mark[$i,$j]=$now
                done
                if [[ $l =~ $expect ]]; then
                    match[i]=$now; done_[i]=1; left=$((left - 1)); break
                fi
            done
            [ -z "${done_[i]}" ] || continue
            # xl create failed: done
            if [ -s "$ST/created-$i" ]; then
                read -r l _ <"$ST/created-$i"
                [ "$l" = 0 ] || { done_[i]=1; left=$((left - 1)); continue; }
            fi
            # the domain is gone (its xl daemon says so)
            if [ -z "${xfd[i]}" ] && [ -e "/var/log/xen/xl-guest$i.log" ]; then
                exec {l}<"/var/log/xen/xl-guest$i.log"; xfd[i]=$l
            fi
            while [ -n "${xfd[i]}" ] && IFS= read -r -u "${xfd[i]}" l; do
                case $l in
                *"has shut down"*|*"has been destroyed"*)
                    gone[i]=$now; done_[i]=1; left=$((left - 1)); break ;;
                esac
            done
        done
        [ $left -gt 0 ] && [ $now -lt $limit ] || break
        read -r -t 0.2 -u 9 _
    done
    cpu_stat
    us; local tend=$((US - t0))
    self_ticks
    echo "$CPU_U $CPU_S $CPU_I $tend $((SELF - self0))" >"$ST/cpu-end"
    for ((i = 1; i <= N; i++)); do
        local m=""
        for ((j = 0; j < ${#MARKS[@]}; j++)); do m="$m ${mark[$i,$j]:-none}"; done
        echo "${first[i]:-none} ${match[i]:-none} ${gone[i]:-none}$m" >"$ST/mon-$i"
    done
}

# ---------------------------------------------------------------- storm
say "storm: $N guests, timeout ${TIMEOUT}s"
for ((i = 1; i <= N; i++)); do sed "s/^/xlcfg$i| /" "/job/guest-$i.cfg"; done
cpu_stat; CPU0="$CPU_U $CPU_S $CPU_I"
us; T0=$US
monitor "$T0" &
MONPID=$!
# the creators: busybox sh, not a bash subshell (one died of SIGSEGV in a
# loaded storm); created-I = "xl's exit status, dom0 uptime at its return"
for ((i = 1; i <= N; i++)); do
    sh -c 'xl $2 create "/job/guest-$1.cfg" >"$3/xl-$1.log" 2>&1
           rc=$?; read -r up _ </proc/uptime
           echo "$rc $up" >"$3/created-$1.tmp"; mv "$3/created-$1.tmp" "$3/created-$1"' \
        create "$i" "$XL_VERBOSE" "$ST" &
done
wait $MONPID
read -r U1 S1 I1 TEND MONTICKS <"$ST/cpu-end"
# the creators: all returned unless an xl create hangs (then up to 10 s more)
for ((k = 0; k < 50; k++)); do
    n=0; for ((i = 1; i <= N; i++)); do [ -s "$ST/created-$i" ] && n=$((n + 1)); done
    [ $n = $N ] && break
    sleep 0.2
done
[ $n = $N ] || say "$((N - n)) xl create(s) still running"
set -- $CPU0
BUSY=$(( (U1 - $1) + (S1 - $2) + (I1 - $3) ))

# let the guests finish (print their disk check, power off) for up to LINGER s
us; end=$((US + LINGER * 1000000))
while us && [ "$US" -lt $end ]; do
    alive=0
    for ((i = 1; i <= N; i++)); do xl domid "guest$i" >/dev/null 2>&1 && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.3
done
for ((i = 1; i <= N; i++)); do
    xl list "guest$i" >/dev/null 2>&1 && xl destroy "guest$i" 2>&1 | sed "s/^/xl$i| /"
done
sleep 0.3

# ---------------------------------------------------------------- report
all=MATCH last=0
for ((i = 1; i <= N; i++)); do
    [ -s "$ST/xl-$i.log" ] && sed "s/^/xl$i| /" "$ST/xl-$i.log"
    if [ -s "$CONDIR/guest-guest$i.log" ]; then
        sed "s/^/domU$i| /" "$CONDIR/guest-guest$i.log"
        [ -z "$(tail -c 1 "$CONDIR/guest-guest$i.log")" ] || echo   # an unfinished last line
    fi
done
for ((i = 1; i <= N; i++)); do
    rc=none t=none
    if [ -s "$ST/created-$i" ]; then
        read -r rc t <"$ST/created-$i"
        t=$(( ${t%.*} * 1000000 + 10#${t#*.} * 10000 - T0 ))
    fi
    read -r fc m g rest <"$ST/mon-$i"
    line="guest=$i"
    if [ "$m" != none ]; then r=MATCH; [ "$m" -gt $last ] && last=$m
    elif [ "$rc" != 0 ] && [ "$rc" != none ]; then r=CREATE-FAILED
    elif [ "$g" != none ]; then r=DOMAIN-GONE
    else r=TIMEOUT; fi
    [ $r = MATCH ] || { [ $all = MATCH ] && all=$r; }
    line="$line result=$r create_rc=$rc"
    for k in created:$t first_console:$fc; do
        v=${k#*:}; [ "$v" = none ] || { sec "$v"; v=$SEC; }; line="$line ${k%%:*}=$v"
    done
    j=1
    for v in $rest; do
        [ "$v" = none ] || { sec "$v"; v=$SEC; }; line="$line mark$j=$v"; j=$((j + 1))
    done
    v=$m; [ "$v" = none ] || { sec "$v"; v=$SEC; }
    echo "XENLAB-STORM: $line userspace=$v"
done
tick() { printf -v SEC '%d.%02d' $(( $1 / HZ )) $(( $1 % HZ * 100 / HZ )); }
sec "$TEND"; cpu="window_s=$SEC"
tick "$BUSY"; cpu="$cpu busy_s=$SEC"
set -- $CPU0
tick $((U1 - $1)); cpu="$cpu user_s=$SEC"
tick $((S1 - $2)); cpu="$cpu system_s=$SEC"
tick $((I1 - $3)); cpu="$cpu irq_s=$SEC"
tick $(( (BUSY + N / 2) / N )); cpu="$cpu busy_per_guest_s=$SEC"
tick "$MONTICKS"; cpu="$cpu monitor_s=$SEC"
echo "XENLAB-STORM-CPU: guests=$N dom0_vcpus=$(grep -c '^processor' /proc/cpuinfo) $cpu"
if [ $all = MATCH ]; then sec "$last"; echo "XENLAB-TIME: storm_last_userspace=$SEC"; fi
if [ $all != MATCH ] || [ -n "$DUMP_LOGS" ]; then
    for f in /var/log/xen/*.log; do [ -s "$f" ] && sed "s#^#dom0-log| ${f##*/}: #" "$f"; done
fi
echo "XENLAB-RESULT: $all"
exit 0
