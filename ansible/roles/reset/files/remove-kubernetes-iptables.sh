#!/bin/sh
# Removes from iptables (IPv4 and IPv6) the chains Kubernetes made and the rules that jump to them:
# kube-proxy's KUBE-*, the CNI plugins' CNI-* and flannel's FLANNEL-*. The user's own rules and chains
# stay. Each table is read with *-save, the lines naming those chains dropped, and the rest loaded back
# with *-restore, which replaces that one table at once. Prints "changed" when it removed anything.
set -eu
pattern='(^:|-[AIjg] )(KUBE|CNI|FLANNEL)-'
changed=no
for tool in iptables ip6tables; do
  command -v "$tool-save" >/dev/null 2>&1 || continue
  for table in filter nat mangle raw; do
    before=$("$tool-save" -t "$table" 2>/dev/null) || continue
    printf '%s\n' "$before" | grep -Eq -- "$pattern" || continue
    printf '%s\n' "$before" | grep -Ev -- "$pattern" | "$tool-restore"
    changed=yes
  done
done
[ "$changed" = no ] || echo changed
