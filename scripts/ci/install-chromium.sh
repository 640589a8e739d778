#!/usr/bin/env bash
# Installs Debian's chromium for the playwright-core browser tests: playwright's
# own browser download can't run on CI, so tests launch /usr/bin/chromium.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly CHROMIUM=/usr/bin/chromium

if [[ -x $CHROMIUM ]]; then
  ci_log "already installed: $CHROMIUM"
else
  ci_apt_install_missing --with-recommends chromium
  [[ -x $CHROMIUM ]] || ci_die "chromium package installed but $CHROMIUM is missing"
fi
ci_log "$("$CHROMIUM" --version 2>/dev/null | head -n1)"
