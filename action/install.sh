#!/usr/bin/env bash
# Installs dockopt for the GitHub Action.
#   install.sh key      writes the cache key of the build to $GITHUB_OUTPUT
#   install.sh install  builds dockopt into $DOCKOPT_ROOT unless it is there
#                       already (restored from the cache), and puts it on PATH
# With DOCKOPT_VERSION set, the build is that version from crates.io;
# otherwise it is the action's own source, so the action's ref decides.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="${DOCKOPT_ROOT:-${RUNNER_TEMP:-/tmp}/dockopt-install}"
version="${DOCKOPT_VERSION:-}"

# A hash of everything the build reads, so that a cached build is never
# one of other sources.
source_hash() {
  (cd "$here" && find Cargo.toml Cargo.lock crates transforms -type f \
    \( -name '*.rs' -o -name '*.toml' -o -name '*.lock' -o -name '*.md' -o -name '*.yaml' \) \
    -not -path '*/tests/*' -not -path '*/cases/*' -not -path '*/target/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

case "${1:-}" in
  key)
    if [ -n "$version" ]; then
      key="dockopt-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-crates-$version"
    else
      key="dockopt-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-source-$(source_hash)"
    fi
    echo "key=$key" >> "${GITHUB_OUTPUT:-/dev/stdout}"
    ;;
  install)
    if [ -x "$root/bin/dockopt" ] && "$root/bin/dockopt" --version >/dev/null 2>&1; then
      echo "dockopt is cached in $root"
    else
      if ! command -v cargo >/dev/null; then
        echo "::error::dockopt is built with cargo, which is not on PATH (GitHub's hosted runners have it; elsewhere use dtolnay/rust-toolchain first)"
        exit 1
      fi
      if [ -n "$version" ]; then
        cargo install --locked --root "$root" dockopt-cli --version "$version"
      else
        cargo install --locked --root "$root" --path "$here/crates/dockopt-cli"
      fi
    fi
    echo "$root/bin" >> "${GITHUB_PATH:-/dev/null}"
    "$root/bin/dockopt" --version
    ;;
  *)
    echo "usage: $0 key|install" >&2
    exit 2
    ;;
esac
