# shellcheck shell=bash
# Shared helpers for scripts/ci/*.sh — sourced, never executed.
# Every message goes to stderr so that a script's stdout can carry a single
# machine-readable value (install-temporal.sh prints the binary path there).

CI_SCRIPT_NAME=$(basename "$0" .sh)
ci_log() { printf '[%s] %s\n' "$CI_SCRIPT_NAME" "$*" >&2; }
ci_die() { ci_log "ERROR: $*"; exit 1; }

# Root on CI; a developer running these by hand may need sudo.
if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi

export DEBIAN_FRONTEND=noninteractive

# `apt-get update` costs 5-30 s, so do it at most once per .ci/run: .ci/run exports
# KEFU_CI_STATE_DIR and the first script to update leaves a stamp there. Run on
# their own (no state dir), scripts update whenever they need to install.
# Mode "force": a script that just added an apt source needs fresh lists regardless.
ci_apt_update() {
  local stamp="${KEFU_CI_STATE_DIR:+$KEFU_CI_STATE_DIR/apt-updated}"
  if [[ $1 != force ]]; then
    if [[ ${CI_APT_UPDATED:-} == 1 ]]; then return 0; fi
    if [[ -n $stamp && -e $stamp ]]; then return 0; fi
  fi
  ci_log "apt-get update"
  "${SUDO[@]}" apt-get update -qq >&2
  CI_APT_UPDATED=1
  if [[ -n $stamp ]]; then : >"$stamp"; fi
}

ci_pkg_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Installs only the packages that are missing, so a second run is a no-op.
# Recommends are skipped unless the first argument is --with-recommends
# (chromium wants its recommended fonts to render pages like a user's browser).
ci_apt_install_missing() {
  local recommends=(--no-install-recommends) missing=() pkg
  if [[ ${1:-} == --with-recommends ]]; then recommends=(); shift; fi
  for pkg in "$@"; do ci_pkg_installed "$pkg" || missing+=("$pkg"); done
  if ((${#missing[@]} == 0)); then return 0; fi
  ci_apt_update once
  ci_log "apt-get install ${missing[*]}"
  # dpkg's per-package chatter goes to stdout, dropped; errors stay on stderr.
  "${SUDO[@]}" apt-get install -y -qq "${recommends[@]}" "${missing[@]}" >/dev/null
}
