#!/usr/bin/env bash
# dom0 test hosts: a real OpenSSH sshd per simulated XenServer host, serving a root filesystem of its own laid out
# like a XenServer dom0. Used by sim/dom0 (the TypeScript API), the demo and CI. Needs root, util-linux
# (unshare, nsenter, mount), coreutils and Debian's openssh-server (/usr/sbin/sshd, ssh, ssh-keygen).
#
#   dom0-testhost.sh create HOSTDIR NAME            build HOSTDIR/root (the dom0's "/") and its keys; no process
#   dom0-testhost.sh start  HOSTDIR [ADDRESS [PORT]] start sshd in the background and print one line:
#                                                    "ready NAME ADDRESS PORT FINGERPRINT"
#   dom0-testhost.sh run    HOSTDIR NAME [ADDRESS [PORT]]  create (if needed) + start, then stay until standard input
#                                                    closes or SIGTERM/SIGINT/SIGHUP arrives, then stop (removes HOSTDIR)
#   dom0-testhost.sh exec   HOSTDIR [--] CMD [ARG...] run CMD inside the running host's root, as root, no SSH
#   dom0-testhost.sh sr-mount  HOSTDIR SR_UUID [tmpfs|dir] [SIZE]  create /var/run/sr-mount/SR_UUID; "tmpfs" (default)
#                                                    makes it a filesystem of its own, as an ext SR is on a real dom0
#   dom0-testhost.sh sr-umount HOSTDIR SR_UUID       remove it again (contents are lost)
#   dom0-testhost.sh peers  HOSTDIR...               let the listed hosts know each other: /etc/hosts, the global
#                                                    /etc/ssh/ssh_known_hosts and /etc/ssh/ssh_config (ports)
#   dom0-testhost.sh stop   HOSTDIR [--keep]         kill everything in the host, undo its mounts, remove HOSTDIR
#   dom0-testhost.sh status HOSTDIR                  "running NAME ADDRESS PORT FINGERPRINT" or "stopped NAME"
#
# HOSTDIR/root is the host's "/": its own etc, root, boot, run (= /var/run), tmp, var; the machine's /usr is
# bind-mounted read-only on root/usr (and /bin, /sbin, /lib* are the same symlinks into usr as on this machine),
# except /usr/local, which is the host's own HOSTDIR/usr-local, writable; a small /dev and /proc are mounted too.
# Python as on a dom0: xapi's plug-in module XenAPIPlugin (sim/dom0/XenAPIPlugin.py, a stand-in) is importable by
# this machine's python3, and, when this machine has a Python 2.7 installation (/usr/bin/python2.7, or the one
# named by PULUMI_XEN_PYTHON27=<its python2.7>, or pyenv's newest 2.7.x), the host offers /usr/bin/python2.7 as a
# XenServer 6/7 dom0 does: the installation is mounted read-only on /opt/python2.7 (an overlay that adds
# XenAPIPlugin to its site-packages) and root/usr is then a read-only overlay of HOSTDIR/usr-extra (python2.7 and
# libpython2.7 links into /opt/python2.7) on this machine's /usr. Nothing of this machine is written. Those mounts exist only inside a private mount + pid + uts namespace
# (unshare), whose first process is sshd, chrooted into HOSTDIR/root: killing it ends the namespace and every mount
# in it, so nothing can leak into this machine's mount table. The only mounts made in this machine's namespace are
# HOSTDIR/root/run/sr-mount (a shared bind mount of itself, so that SR mounts made later reach the namespace) and
# the SR mounts under it; stop undoes them. HOSTDIR/state holds what is outside the dom0: pids, address, port, the
# sshd log, and the client key pair authorized for root (through /etc/ssh/authorized_keys.d/root, so that
# /root/.ssh starts empty as on a fresh dom0).
set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
PLUGIN_MODULE=$(dirname -- "$SELF")/../sim/dom0/XenAPIPlugin.py
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C

die() { echo "dom0-testhost: $*" >&2; exit 1; }

check_hostdir() {
  [ -n "${1:-}" ] || die "HOSTDIR missing"
  case "$1" in
    /*) ;;
    *) die "HOSTDIR must be an absolute path: $1" ;;
  esac
  [[ "$1" =~ ^[A-Za-z0-9._/-]+$ ]] || die "HOSTDIR may only contain letters, digits and ._/-: $1"
  [ "$1" != / ] || die "HOSTDIR must not be /"
}

# The prefix of this machine's Python 2.7 installation to offer in the hosts ("" when /usr/bin/python2.7 exists,
# since /usr is there already); fails when there is none.
python27_prefix() {
  local py=${PULUMI_XEN_PYTHON27:-} v
  if [ -z "$py" ] && [ -x /usr/bin/python2.7 ]; then echo ""; return 0; fi
  if [ -z "$py" ]; then
    for v in $(ls -d "${PYENV_ROOT:-${HOME:-/root}/.pyenv}"/versions/2.7.* 2>/dev/null | sort -V -r); do
      py=$v/bin/python2.7; break
    done
  fi
  [ -n "$py" ] && [ -x "$py" ] || return 1
  py=$(readlink -f -- "$py")
  local prefix=${py%/bin/*}
  [ "$prefix" != "$py" ] && [ -f "$prefix/lib/python2.7/os.py" ] || return 1
  [[ "$prefix" =~ ^/[A-Za-z0-9._/+-]+$ ]] || return 1
  [ "$prefix" != /usr ] || { echo ""; return 0; }
  printf '%s' "$prefix"
}

hostdir_abs() { check_hostdir "$1"; local d; d=$(readlink -m -- "$1"); check_hostdir "$d"; printf '%s' "$d"; }

state_get() { cat -- "$1/state/$2" 2>/dev/null || true; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The namespace's first process (sshd), as seen from this machine.
init_pid() {
  local d=$1 u c
  u=$(state_get "$d" ns.pid)
  alive "$u" || return 1
  c=$(cat "/proc/$u/task/$u/children" 2>/dev/null || true)
  c=${c%% *}
  [ -n "$c" ] || return 1
  printf '%s' "$c"
}

cmd_create() {
  local d name
  d=$(hostdir_abs "${1:-}"); name=${2:-}
  [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || die "NAME must be letters, digits and '-': '$name'"
  [ ! -e "$d/root" ] || die "$d/root already exists"
  mkdir -p -- "$d/state" "$d/root" "$d/usr-local"
  (
    cd "$d/usr-local" && mkdir -p bin sbin lib share etc
    # Python adds /usr/local/lib/python3.X/dist-packages to sys.path only when it exists; xapi's XenAPIPlugin
    # module goes there.
    for x in /usr/lib/python3.[0-9]* /usr/lib/python2.7; do
      if [ -d "$x" ]; then
        mkdir -p "lib/${x##*/}/dist-packages"
        install -m 644 "$PLUGIN_MODULE" "lib/${x##*/}/dist-packages/XenAPIPlugin.py"
      fi
    done
  )
  # Python 2.7 (XenServer 6/7 dom0s run their plug-ins with it), when this machine has an installation of it.
  local py27
  if py27=$(python27_prefix) && [ -n "$py27" ]; then
    printf '%s\n' "$py27" > "$d/state/python27"
    mkdir -p "$d/usr-extra/bin" "$d/usr-extra/lib" "$d/python27-extra/lib/python2.7/site-packages"
    ln -s /opt/python2.7/bin/python2.7 "$d/usr-extra/bin/python2.7"
    if [ -e "$py27/lib/libpython2.7.so.1.0" ]; then
      ln -s /opt/python2.7/lib/libpython2.7.so.1.0 "$d/usr-extra/lib/libpython2.7.so.1.0"
    fi
    install -m 644 "$PLUGIN_MODULE" "$d/python27-extra/lib/python2.7/site-packages/XenAPIPlugin.py"
  fi
  local r=$d/root
  (
    cd "$r"
    mkdir -p usr etc/ssh/authorized_keys.d etc/xapi.d/plugins etc/xensource/scripts etc/init.d etc/nova \
      root/.ssh boot run/sshd run/sr-mount tmp dev proc var/log var/lib var/tmp opt
    # /bin, /sbin, /lib* as on this machine: symlinks into usr (merged /usr) or, if real directories here, read-only
    # bind mounts made at start.
    for x in bin sbin lib lib32 lib64 libx32; do
      if [ -L "/$x" ]; then ln -s -- "$(readlink "/$x")" "$x"; elif [ -d "/$x" ]; then mkdir "$x"; fi
    done
    ln -s ../run var/run
    ln -s ../run/lock var/lock
    mkdir -p run/lock
    chmod 1777 tmp var/tmp
    chmod 700 root root/.ssh
    chmod 755 run/sshd
    cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/bash
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
    cat > etc/group <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
    # "*": no password, but not locked, so that public-key login works (sshd refuses accounts locked with "!").
    printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' > etc/shadow
    chmod 640 etc/shadow
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > etc/nsswitch.conf
    printf '%s\n' "$name" > etc/hostname
    printf '127.0.0.1\tlocalhost\n' > etc/hosts
    printf 'XenServer dom0 test host %s (pulumi-xen)\n' "$name" > etc/issue
    : > etc/ssh/ssh_known_hosts
    printf 'Host *\n    HashKnownHosts no\n' > etc/ssh/ssh_config
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f etc/ssh/ssh_host_ed25519_key
  )
  # The client key the provider uses; kept outside the dom0's file tree.
  ssh-keygen -q -t ed25519 -N '' -C "pulumi-xen-test@$name" -f "$d/state/client_ed25519"
  install -m 600 "$d/state/client_ed25519.pub" "$r/etc/ssh/authorized_keys.d/root"
  printf '%s\n' "$name" > "$d/state/name"
  ssh-keygen -lf "$r/etc/ssh/ssh_host_ed25519_key.pub" | awk '{print $2}' > "$d/state/fingerprint"
}

write_sshd_config() {
  local r=$1 address=$2 port=$3
  cat > "$r/etc/ssh/sshd_config" <<EOF
# sshd of a pulumi-xen dom0 test host (runs chrooted: every path is inside the host)
ListenAddress $address:$port
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys.d/%u
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 200
MaxSessions 100
LogLevel INFO
Subsystem sftp internal-sftp
EOF
}

# Runs as the first process of the new namespaces (see cmd_start): mounts, then becomes sshd.
cmd__inner() {
  local d=$1 r=$1/root x
  hostname "$(cat "$d/state/name")"
  if [ -d "$d/usr-extra" ]; then
    # Read-only (no upper layer): this machine's /usr with python2.7 added.
    mount -t overlay -o "lowerdir=$d/usr-extra:/usr" overlay "$r/usr"
  else
    mount --bind /usr "$r/usr"
    mount -o remount,bind,ro "$r/usr"
  fi
  x=$(cat "$d/state/python27" 2>/dev/null || true)
  if [ -n "$x" ]; then
    mkdir -p "$r/opt/python2.7"
    mount -t overlay -o "lowerdir=$d/python27-extra:$x" overlay "$r/opt/python2.7"
  fi
  # /usr/local is the host's own and writable (e.g. XenAPIPlugin.py in /usr/local/lib/python3*/dist-packages).
  mount --bind "$d/usr-local" "$r/usr/local"
  for x in bin sbin lib lib32 lib64 libx32; do
    if [ -d "$r/$x" ] && [ ! -L "$r/$x" ]; then
      mount --bind "/$x" "$r/$x"; mount -o remount,bind,ro "$r/$x"
    fi
  done
  mount -t tmpfs -o mode=755,size=1m,nosuid tmpfs "$r/dev"
  for x in null zero full random urandom tty; do
    : > "$r/dev/$x"
    mount --bind "/dev/$x" "$r/dev/$x"
  done
  mkdir "$r/dev/pts" "$r/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$r/dev/pts"
  ln -s pts/ptmx "$r/dev/ptmx"
  ln -s /proc/self/fd "$r/dev/fd"
  mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
  exec chroot "$r" /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
}

# Try to run sshd on ADDRESS:PORT; 0 when it listens, 2 when the address is taken, 1 on other failures.
try_start() {
  local d=$1 address=$2 port=$3 r=$1/root u i
  write_sshd_config "$r" "$address" "$port"
  : > "$d/state/sshd.log"
  # The shared bind mount through which SR mounts made later in this machine's namespace reach the host.
  if ! mountpoint -q "$r/run/sr-mount"; then
    mount --bind "$r/run/sr-mount" "$r/run/sr-mount"
    mount --make-shared "$r/run/sr-mount"
  fi
  setsid unshare --mount --propagation slave --pid --uts --fork --kill-child \
    bash "$SELF" _inner "$d" </dev/null >>"$d/state/sshd.log" 2>&1 9>&- &
  u=$!
  printf '%s\n' "$u" > "$d/state/ns.pid"
  for i in $(seq 1 200); do
    if grep -q '^Server listening on' "$d/state/sshd.log" 2>/dev/null; then
      printf '%s\n' "$address" > "$d/state/address"
      printf '%s\n' "$port" > "$d/state/port"
      init_pid "$d" > "$d/state/init.pid" || { kill -KILL "$u" 2>/dev/null; return 1; }
      return 0
    fi
    if ! alive "$u"; then
      wait "$u" 2>/dev/null || true
      rm -f -- "$d/state/ns.pid"
      if grep -q -e 'Address already in use' -e 'Cannot bind any address' "$d/state/sshd.log"; then return 2; fi
      return 1
    fi
    sleep 0.05
  done
  kill -KILL "$u" 2>/dev/null || true
  return 1
}

# IPv4 addresses listening on TCP port $1 (any port when empty) in this network namespace, one a line; "*" for a
# wildcard (IPv4 or IPv6). /proc/net/tcp writes an address as the hex of its in-memory (little-endian) 32-bit value.
listeners_on_port() {
  local hexport="" h
  [ -z "${1:-}" ] || hexport=$(printf '%04X' "$1")
  awk -v hp="$hexport" 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); if (hp == "" || a[n] == hp) print a[1] }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    while read -r h; do
      if [[ "$h" =~ ^0+$ ]]; then echo "*"
      elif [ ${#h} = 8 ]; then echo "$((16#${h:6:2})).$((16#${h:4:2})).$((16#${h:2:2})).$((16#${h:0:2}))"
      fi
    done
}

cmd_start() {
  local d address=${2:-} port=${3:-} rc n
  d=$(hostdir_abs "${1:-}")
  [ -d "$d/root" ] || die "$d is not a test host (run create first)"
  [ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd is missing: install Debian's openssh-server"
  if init_pid "$d" >/dev/null; then die "$d is already running"; fi
  if [ -n "$address" ]; then
    try_start "$d" "$address" "${port:-22}" && rc=0 || rc=$?
    [ "$rc" = 0 ] || die "sshd did not start on $address:${port:-22}: $(tail -n 5 "$d/state/sshd.log" | tr '\n' ' ')"
  else
    # Loopback addresses 127.0.0.2, 127.0.0.3, ... on port 22, skipping those something already listens on (another
    # test host, of any run). If a wildcard listener holds port 22 (an sshd of this machine on 0.0.0.0:22 or [::]:22),
    # no loopback address can have it: use random high ports on 127.0.1.x instead. A lost race is retried.
    # Hosts start one at a time (across processes), so that two never pick the same address.
    local taken busy first=2 n lock=${TMPDIR:-/tmp}/pulumi-xen-dom0-testhost.lock
    exec 9>>"$lock"
    flock -w 60 9 || die "could not lock $lock"
    taken=" $(listeners_on_port 22 | tr '\n' ' ') "
    busy=" $(listeners_on_port "" | tr '\n' ' ') "
    case "$taken" in *" * "*) first=258 ;; esac
    rc=2
    for n in $(seq "$first" 64) $(seq 258 510); do
      address=127.0.$((n / 256)).$((n % 256))
      if [ "$n" -le 64 ]; then
        port=22
        case "$taken" in *" $address "*) continue ;; esac
      else
        port=$((20000 + RANDOM % 40000))
        case "$busy" in *" $address "*) continue ;; esac
      fi
      try_start "$d" "$address" "$port" && rc=0 || rc=$?
      [ "$rc" = 2 ] || break
    done
    exec 9>&-
    [ "$rc" = 0 ] || die "sshd did not start: $(tail -n 5 "$d/state/sshd.log" | tr '\n' ' ')"
  fi
  echo "ready $(state_get "$d" name) $(state_get "$d" address) $(state_get "$d" port) $(state_get "$d" fingerprint)"
}

cmd_exec() {
  local d p
  d=$(hostdir_abs "${1:-}"); shift
  [ "${1:-}" != -- ] || shift
  [ $# -gt 0 ] || die "exec: no command"
  p=$(init_pid "$d") || die "$d is not running"
  exec nsenter --target "$p" --mount --pid --uts -- chroot "$d/root" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root USER=root LOGNAME=root \
    SHELL=/bin/bash LANG=C.UTF-8 /bin/sh -c 'cd /root && exec "$@"' sh "$@"
}

check_uuid() { [[ "${1:-}" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad SR uuid: '${1:-}'"; }

cmd_sr_mount() {
  local d uuid=${2:-} kind=${3:-tmpfs} size=${4:-2g} m
  d=$(hostdir_abs "${1:-}"); check_uuid "$uuid"
  m=$d/root/run/sr-mount/$uuid
  [[ "$size" =~ ^[0-9]+[kmgKMG%]?$ ]] || die "bad size: $size"
  if mountpoint -q "$m"; then echo "/var/run/sr-mount/$uuid"; return 0; fi
  mkdir -p -- "$m"
  case "$kind" in
    tmpfs) mount -t tmpfs -o "mode=755,size=$size" "sr-$uuid" "$m" ;;
    dir) ;;
    *) die "sr-mount kind must be tmpfs or dir: $kind" ;;
  esac
  echo "/var/run/sr-mount/$uuid"
}

cmd_sr_umount() {
  local d uuid=${2:-} m
  d=$(hostdir_abs "${1:-}"); check_uuid "$uuid"
  m=$d/root/run/sr-mount/$uuid
  if mountpoint -q "$m"; then umount -- "$m" 2>/dev/null || umount -l -- "$m"; fi
  rm -rf --one-file-system -- "$m"
}

cmd_peers() {
  local d e name address port fp key hosts_lines="" known="" conf=""
  for e in "$@"; do
    d=$(hostdir_abs "$e")
    name=$(state_get "$d" name); address=$(state_get "$d" address); port=$(state_get "$d" port)
    [ -n "$address" ] || die "$d has not been started"
    key=$(awk '{print $1" "$2}' "$d/root/etc/ssh/ssh_host_ed25519_key.pub")
    hosts_lines+="$address"$'\t'"$name"$'\n'
    if [ "$port" = 22 ]; then known+="$address,$name $key"$'\n'; else known+="[$address]:$port,[$name]:$port $key"$'\n'; fi
    conf+="Host $name $address"$'\n'"    HostName $address"$'\n'"    Port $port"$'\n'
  done
  for e in "$@"; do
    d=$(hostdir_abs "$e")
    printf '127.0.0.1\tlocalhost\n%s' "$hosts_lines" > "$d/root/etc/hosts"
    printf '%s' "$known" > "$d/root/etc/ssh/ssh_known_hosts"
    printf '# the other dom0 test hosts\n%sHost *\n    HashKnownHosts no\n' "$conf" > "$d/root/etc/ssh/ssh_config"
  done
}

mounts_under() { # mount points at or below $1, deepest first
  awk -v p="$1" '{ m=$5; gsub(/\\040/," ",m); if (m==p || index(m, p"/")==1) print m }' /proc/self/mountinfo | sort -r
}

cmd_stop() {
  local d keep=${2:-} u p i m
  d=$(hostdir_abs "${1:-}")
  [ -e "$d" ] || return 0
  u=$(state_get "$d" ns.pid)
  p=$(init_pid "$d" || true)
  [ -n "$p" ] || p=$(state_get "$d" init.pid)
  # SIGKILL to the namespace's first process ends every process in the pid namespace and so the mount namespace.
  if [ -n "$p" ] && alive "$u"; then kill -KILL "$p" 2>/dev/null || true; fi
  if alive "$u"; then
    for i in $(seq 1 100); do alive "$u" || break; sleep 0.05; done
    if alive "$u"; then kill -KILL "$u" 2>/dev/null || true; sleep 0.1; fi
  fi
  for i in 1 2 3; do
    m=$(mounts_under "$d")
    [ -n "$m" ] || break
    while IFS= read -r m; do umount -- "$m" 2>/dev/null || umount -l -- "$m" 2>/dev/null || true; done <<< "$m"
  done
  [ -z "$(mounts_under "$d")" ] || die "mounts left under $d: $(mounts_under "$d" | tr '\n' ' ')"
  rm -f -- "$d/state/ns.pid" "$d/state/init.pid"
  if [ "$keep" != --keep ]; then rm -rf --one-file-system -- "$d"; fi
}

cmd_status() {
  local d
  d=$(hostdir_abs "${1:-}")
  if init_pid "$d" >/dev/null; then
    echo "running $(state_get "$d" name) $(state_get "$d" address) $(state_get "$d" port) $(state_get "$d" fingerprint)"
  else
    echo "stopped $(state_get "$d" name)"
  fi
}

remove_marked_parent() {
  local p=${RUN_DIR%/*}
  [ -f "$p/.pulumi-xen-dom0-tmp" ] || return 0
  [ -z "$(ls -A -- "$p" | grep -vx '.pulumi-xen-dom0-tmp')" ] || return 0
  rm -f -- "$p/.pulumi-xen-dom0-tmp"
  rmdir -- "$p" 2>/dev/null || true
}

cmd_run() {
  local name=${2:-}
  RUN_DIR=$(hostdir_abs "${1:-}")
  WATCH_PID=""
  # On exit: stop the host; and if it lived in a temporary directory that its creator marked with
  # .pulumi-xen-dom0-tmp (sim/dom0 does) and that is now empty, remove that too: the creator may have died.
  trap '[ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true; cmd_stop "$RUN_DIR"; remove_marked_parent' EXIT
  [ -d "$RUN_DIR/root" ] || cmd_create "$RUN_DIR" "$name"
  local d=$RUN_DIR
  trap 'exit 0' TERM INT HUP
  cmd_start "$d" "${3:-}" "${4:-}"
  # Stay until standard input closes (the caller stopped us or died), then the EXIT trap stops the host.
  exec 3<&0
  cat <&3 >/dev/null &
  WATCH_PID=$!
  wait "$WATCH_PID" || true
  WATCH_PID=""
}

case "${1:-}" in
  create) shift; cmd_create "$@" ;;
  start) shift; cmd_start "$@" ;;
  run) shift; cmd_run "$@" ;;
  exec) shift; cmd_exec "$@" ;;
  sr-mount) shift; cmd_sr_mount "$@" ;;
  sr-umount) shift; cmd_sr_umount "$@" ;;
  peers) shift; cmd_peers "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  _inner) shift; cmd__inner "$@" ;;
  *) sed -n '2,/^set -euo/p' "$SELF" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
