#!/bin/sh
# Boots one virtual Pi. Started by the lab as
#   ip netns exec NETNS unshare --mount --uts --ipc --pid --fork boot-host.sh LOWER UPPER WORK MERGED HOSTNAME BOUNDING_SET
# so this script is PID 1 of a fresh PID namespace, in the host's network namespace and in a
# mount namespace of its own: every mount made here vanishes when the host's processes end.
# It assembles the host's root file system and then becomes its init (OpenRC).
set -eu

lower=$1 upper=$2 work=$3 merged=$4 hostname=$5 bounding_set=$6

mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$merged"

mount -t proc proc "$merged/proc"
# Kernel settings outside the network namespace belong to the whole machine: read-only,
# except net.* which is this host's own. sysrq-trigger could reboot the machine: masked.
mount --bind "$merged/proc/sys" "$merged/proc/sys"
mount -o remount,bind,ro "$merged/proc/sys"
mount --bind "$merged/proc/sys/net" "$merged/proc/sys/net"
mount -o remount,bind,rw "$merged/proc/sys/net"
if [ -e "$merged/proc/sysrq-trigger" ]; then mount --bind /dev/null "$merged/proc/sysrq-trigger"; fi
mount -t sysfs -o ro sysfs "$merged/sys"

# A /dev of its own with only the harmless devices, not the machine's disks.
mount -t tmpfs -o mode=0755,nosuid devtmpfs "$merged/dev"
for device in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	name=${device%%:*} numbers=${device#*:}
	mknod -m 0666 "$merged/dev/$name" c "${numbers%:*}" "${numbers#*:}"
done
mkdir "$merged/dev/pts" "$merged/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$merged/dev/pts"
ln -s pts/ptmx "$merged/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$merged/dev/shm"
ln -s /proc/self/fd "$merged/dev/fd"
ln -s /proc/self/fd/0 "$merged/dev/stdin"
ln -s /proc/self/fd/1 "$merged/dev/stdout"
ln -s /proc/self/fd/2 "$merged/dev/stderr"

mount -t tmpfs -o mode=0755,nosuid,nodev run "$merged/run"
hostname "$hostname"

# Drop the powers that reach beyond this host (BOUNDING_SET, e.g. -sys_module,-sys_time: see
# host-process.ts), then become the host's init with a clean environment.
exec setpriv --bounding-set "$bounding_set" \
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
	chroot "$merged" /sbin/openrc-init
