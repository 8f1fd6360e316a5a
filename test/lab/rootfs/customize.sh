#!/bin/sh
# Turns a fresh Debian root file system into the shared base of every virtual Pi.
# Run once per cache build, as an mmdebstrap customize hook: $1 is the root file system.
# What differs per host (hostname, host keys, machine-id, authorized keys) is NOT here:
# the lab writes it into each host's own overlay layer.
set -eu

root=$1
here=$(dirname "$0")

cp -R "$here/files/." "$root/"

# Each host gets its own host key; a shared one would make them indistinguishable.
rm -f "$root"/etc/ssh/ssh_host_*
rm -f "$root/etc/machine-id"

# Services carry Alpine's names (sshd, chronyd); drop Debian's duplicates of them.
rm -f "$root/etc/init.d/ssh" "$root/etc/init.d/chrony"

# OpenRC starts only what a Pi of the cluster runs. Debian's sysinit scripts would fsck,
# remount and set the clock of a machine that is not theirs, so no runlevel keeps them.
find "$root/etc/runlevels" -mindepth 2 -delete
for service in sshd chronyd avahi-daemon; do
	ln -s "/etc/init.d/$service" "$root/etc/runlevels/default/$service"
done

# No NTP server is reachable from the lab; without the pool line chrony does not try DNS forever.
sed -i 's/^pool /#pool /' "$root/etc/chrony/chrony.conf"

# avahi without D-Bus (none runs here), only on eth0, and with the workstation record:
# that one carries the MAC address, which discover reads.
sed -i \
	-e 's/^#\{0,1\}enable-dbus=.*/enable-dbus=no/' \
	-e 's/^#\{0,1\}allow-interfaces=.*/allow-interfaces=eth0/' \
	-e 's/^#\{0,1\}publish-workstation=.*/publish-workstation=yes/' \
	"$root/etc/avahi/avahi-daemon.conf"
grep -q '^enable-dbus=no' "$root/etc/avahi/avahi-daemon.conf"
grep -q '^allow-interfaces=eth0' "$root/etc/avahi/avahi-daemon.conf"
grep -q '^publish-workstation=yes' "$root/etc/avahi/avahi-daemon.conf"

# Documentation is a third of the size and no host reads it. (Removed here rather than by dpkg
# path-exclude options, which slow mmdebstrap's extraction down several times over.)
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*

# A known root password that sshd must refuse: tests prove password logins are off by trying it.
echo 'root:raspberry' | chroot "$root" chpasswd
