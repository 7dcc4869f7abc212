# Sourced by .ci/serve and .ci/test: installs what a fresh Debian machine with only rustup,
# node and npm lacks, and skips whatever is already present at the right version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Must equal the `wasm-bindgen` crate pinned in Cargo.toml: the CLI does not check.
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\n== %s\n' "$*"; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# `cargo install --locked` fails here when the registry index lags behind the crate's lock file,
# so the crate is unpacked and the one lagging dependency is pinned one release back.
ensure_wasm_bindgen() {
  if command -v wasm-bindgen >/dev/null 2>&1 \
     && [ "$(wasm-bindgen --version)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    return
  fi
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes on 2 cores)"
  local work crate
  work="$(mktemp -d)"
  cargo info "wasm-bindgen-cli@$WASM_BINDGEN_VERSION" >/dev/null
  crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "wasm-bindgen-cli-$WASM_BINDGEN_VERSION.crate" | head -n 1)"
  tar -xzf "$crate" -C "$work"
  (
    cd "$work/wasm-bindgen-cli-$WASM_BINDGEN_VERSION"
    cargo update -p webpki-roots --precise 1.0.10 >/dev/null 2>&1 || true
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --path . --locked --bin wasm-bindgen
  )
  rm -rf "$work"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_npm_packages() {
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] || [ ! -d "$ROOT/end2end/node_modules/@axe-core/playwright" ]; then
    log "installing the end-to-end test packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
}

# Builds the browser half the way cargo-leptos would, without cargo-leptos (whose own install
# costs about 20 minutes on 2 cores): the library to wasm with `hydrate`, bound by the
# wasm-bindgen CLI, then the stylesheet and public assets copied into target/site.
#   $1 = dev (fast build, for the tests) or release (small wasm, for serve).
build_site() {
  local mode="$1" wasm_profile wasm_dir
  if [ "$mode" = release ]; then wasm_profile=wasm-release; wasm_dir=wasm-release; else wasm_profile=dev; wasm_dir=debug; fi
  rust_flags
  log "building the browser half (wasm, $wasm_profile)"
  (cd "$ROOT" && cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile "$wasm_profile")
  local site="$ROOT/target/site"
  mkdir -p "$site/pkg"
  wasm-bindgen --target web --no-typescript --out-name cim --out-dir "$site/pkg" \
    "$ROOT/target/wasm32-unknown-unknown/$wasm_dir/cim.wasm"
  mv -f "$site/pkg/cim_bg.wasm" "$site/pkg/cim.wasm"
  cp "$ROOT/style/main.css" "$site/pkg/cim.css"
  cp -R "$ROOT/public/." "$site/"
  export LEPTOS_SITE_ROOT="$site" LEPTOS_SITE_PKG_DIR=pkg
}

# The same flags for every cargo call, so nothing is compiled twice.
# Both modes erase component types (what cargo-leptos sets for dev builds): compiles of the
# component tree are much faster, and in release the browser half is a third smaller (wasm
# gzipped: 848 KB typed, 571 KB erased), since each typed view also carries its own hydration
# code. The tests run the erased build, so release serves exactly what they checked.
rust_flags() {
  export LEPTOS_OUTPUT_NAME=cim
  export RUSTFLAGS="--cfg erase_components ${CIM_RUSTFLAGS:-}"
}

# A throwaway PostgreSQL cluster for the tests, from Debian's packages, made anew on each run
# (so nothing of an earlier run is left in it) and started on a port of its own. Local
# connections over TCP are trusted: it listens on 127.0.0.1 only and holds only test data.
# Tests run it without fsync (their data is thrown away); `start_test_postgres durable` keeps
# PostgreSQL's defaults, for benchmarks that must compare durable writes.
PG_PORT="${CIM_TEST_PG_PORT:-55432}"
stop_test_postgres() { :; }
PG_CLUSTER=cimtest
start_test_postgres() {
  if ! command -v pg_createcluster >/dev/null 2>&1; then
    log "installing Debian's postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  # Global, not local: the exit trap that drops the cluster runs after this function returned.
  PG_VERSION="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  local version="$PG_VERSION"
  log "starting a throwaway PostgreSQL $version cluster on 127.0.0.1:$PG_PORT"
  pg_dropcluster --stop "$version" "$PG_CLUSTER" >/dev/null 2>&1 || true
  pg_createcluster "$version" "$PG_CLUSTER" -p "$PG_PORT" --encoding=UTF8 --locale=C.UTF-8 -- --auth-host=trust --auth-local=trust >/dev/null
  local options="-c listen_addresses=127.0.0.1 -c max_connections=400"
  [ "${1:-}" = durable ] || options="$options -c fsync=off"
  pg_ctlcluster "$version" "$PG_CLUSTER" start -- -o "$options"
  export CIM_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  stop_test_postgres() { pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1 || true; }
}

# The independent SCIM conformance probe, from PyPI, in its own virtual environment.
SCIM_SANITY_VERSION=0.7.4
ensure_scim_sanity() {
  local venv="$ROOT/target/scim-sanity-venv"
  SCIM_SANITY="$venv/bin/scim-sanity"
  if [ -x "$SCIM_SANITY" ] && "$venv/bin/pip" show scim-sanity 2>/dev/null | grep -qx "Version: $SCIM_SANITY_VERSION"; then
    return
  fi
  log "installing scim-sanity $SCIM_SANITY_VERSION"
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv "$venv" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet "scim-sanity==$SCIM_SANITY_VERSION"
}
