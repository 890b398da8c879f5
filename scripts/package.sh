#!/usr/bin/env bash
# Builds the npm package `k12-export`: the embeddable bundle in release (scripts/build.sh --embed),
# then the package from it (scripts/build-package.mjs) into target/package/k12-export/, packed.
# The tarball's path is the last line printed (everything else goes to stderr).
#
#   scripts/package.sh        (make package)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

scripts/build.sh --embed >&2
tgz=$(node scripts/build-package.mjs)
echo "package: $(du -k "$tgz" | cut -f1) KB packed, $(tar -tzf "$tgz" | wc -l) files" >&2
echo "$tgz"
