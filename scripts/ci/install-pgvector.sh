#!/usr/bin/env bash
# Builds the pgvector extension into the machine's PostgreSQL 15 from Debian's
# trixie source package (bookworm main ships no pgvector package), then proves
# it with CREATE EXTENSION in the `test` database.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PG_VERSION=15
readonly PG_CONFIG="/usr/lib/postgresql/$PG_VERSION/bin/pg_config"
readonly CONTROL_FILE="/usr/share/postgresql/$PG_VERSION/extension/vector.control"
readonly SRC_SUITE=trixie
readonly SRC_LIST=/etc/apt/sources.list.d/kefu-trixie-src.sources
readonly DEFAULT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly BUILD_DEPS=("postgresql-server-dev-$PG_VERSION" build-essential dpkg-dev)

# Prints "URI<TAB>SIGNED_BY" of the machine's main Debian archive (not -security,
# not a third-party repo), read from its own apt sources so that the repo never
# names a mirror.
debian_mirror() {
  local deb822=/etc/apt/sources.list.d/debian.sources legacy=/etc/apt/sources.list
  if [[ -r $deb822 ]]; then
    awk '
      function flush() {
        if (!done && uri != "" && main && types ~ /(^|[ \t])deb([ \t]|$)/) { print uri "\t" signed; done = 1 }
        types = ""; uri = ""; signed = ""; main = 0
      }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:"     { types = $0; sub(/^[^:]*:/, "", types) }
      tolower($1) == "uris:"      { uri = $2 }
      tolower($1) == "signed-by:" { signed = $2 }
      tolower($1) == "suites:"    { for (i = 2; i <= NF; i++) if ($i !~ /-/) main = 1 }
      END { flush() }
    ' "$deb822"
  fi
  if [[ -r $legacy ]]; then
    # One-line format: deb [options] URI SUITE COMPONENTS...
    sed -E 's/\[[^]]*\]//' "$legacy" | awk '$1 == "deb" && $3 !~ /-/ { print $2 "\t"; exit }'
  fi
}

# deb-src ONLY: apt then knows trixie's source packages but no trixie binaries,
# so no install or upgrade can ever take a package from trixie.
write_source_entry() {
  local uri signed content
  IFS=$'\t' read -r uri signed < <(debian_mirror | head -n1) || true
  [[ -n ${uri:-} ]] || ci_die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  if [[ -z ${signed:-} || ! -f $signed ]]; then signed=$DEFAULT_KEYRING; fi
  content="# Added by kefu scripts/ci/install-pgvector.sh to build pgvector from source.
# deb-src only: no binary package can come from $SRC_SUITE through this entry.
Types: deb-src
URIs: $uri
Suites: $SRC_SUITE
Components: main"
  if [[ -f $signed ]]; then content+=$'\n'"Signed-By: $signed"; fi
  if [[ -f $SRC_LIST && $(<"$SRC_LIST") == "$content" ]]; then return 0; fi
  ci_log "writing $SRC_LIST (deb-src $SRC_SUITE from $uri)"
  printf '%s\n' "$content" | "${SUDO[@]}" tee "$SRC_LIST" >/dev/null
}

BUILD_DIR=""
trap '[[ -z $BUILD_DIR ]] || rm -rf "$BUILD_DIR"' EXIT

build_and_install() {
  local work src
  work=$(mktemp -d)
  BUILD_DIR=$work
  # apt-get source, run as root, drops to the `_apt` sandbox user for the
  # download; that user must be able to write the target directory.
  if getent passwd _apt >/dev/null; then chown _apt "$work" 2>/dev/null || chmod 0777 "$work"; fi
  ci_log "apt-get source pgvector/$SRC_SUITE"
  (cd "$work" && apt-get source -qq --download-only "pgvector/$SRC_SUITE" >&2)
  src="$work/src"
  (cd "$work" && dpkg-source --no-check -x ./pgvector_*.dsc "$src" >/dev/null)
  ci_log "building pgvector $(sed -n 's/^Version: //p' "$work"/pgvector_*.dsc | head -n1)"
  # OPTFLAGS empty: upstream defaults to -march=native, which ties the .so to
  # this CPU; its Makefile says `make OPTFLAGS=""` for a portable build.
  make -C "$src" -j"$(nproc)" -s PG_CONFIG="$PG_CONFIG" OPTFLAGS= >&2
  "${SUDO[@]}" make -C "$src" -s PG_CONFIG="$PG_CONFIG" OPTFLAGS= install >&2
}

# The distance query makes the server load vector.so, not just read the control
# file. Tries role postgres over TCP, then the current user, then (as root) the
# postgres OS user over the local socket.
create_extension() {
  local sql="SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vector;
SELECT extversion FROM pg_extension
  WHERE extname = 'vector' AND '[1,2,3]'::vector <-> '[1,2,4]'::vector = 1;"
  local version
  if version=$(psql -h 127.0.0.1 -U postgres -d test -v ON_ERROR_STOP=1 -qAt -c "$sql" 2>/dev/null) ||
     version=$(psql -h 127.0.0.1 -d test -v ON_ERROR_STOP=1 -qAt -c "$sql" 2>/dev/null) ||
     { [[ $(id -u) -eq 0 ]] && version=$(runuser -u postgres -- psql -d test -v ON_ERROR_STOP=1 -qAt -c "$sql"); }; then
    [[ -n $version ]] || ci_die "vector loaded but '[1,2,3]' <-> '[1,2,4]' is not 1"
    ci_log "extension vector $version ready in database test"
  else
    ci_die "CREATE EXTENSION vector failed in database test"
  fi
}

if [[ -f $CONTROL_FILE ]]; then
  ci_log "already installed: $CONTROL_FILE"
else
  write_source_entry
  ci_apt_update force
  ci_apt_install_missing "${BUILD_DEPS[@]}"
  build_and_install
  [[ -f $CONTROL_FILE ]] || ci_die "build finished but $CONTROL_FILE is missing"
fi
create_extension
