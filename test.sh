#!/usr/bin/env bash
# Run the whole test suite: ./test.sh [extra dotnet test arguments, e.g. --filter X]
#
# Without ConnectionStrings__Ledger, a throwaway PostgreSQL cluster is started
# in a temporary folder under /tmp on a free port and removed on exit.
# Exports ConnectionStrings__Ledger and LEDGER_TEST_ADMIN_CONNECTION (tests
# may create extra databases with the latter). Never touches .ledger/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

# --- Test prerequisites ------------------------------------------------------
# The browser tests (tests/Ledger.Browser.Tests) drive Debian's Chromium through
# Playwright: install it when missing (as root or via sudo -n). Playwright
# itself never downloads a browser. LEDGER_CHROMIUM may name another binary.
ledger_test_prerequisites() {
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  local help="install it with 'sudo apt-get install -y chromium', or set LEDGER_CHROMIUM to a Chromium binary"
  if [[ -n ${LEDGER_CHROMIUM:-} ]]; then
    [[ -x $LEDGER_CHROMIUM ]] || ledger_die "LEDGER_CHROMIUM=$LEDGER_CHROMIUM is not an executable file"
    return 0
  fi
  [[ -x /usr/lib/chromium/chromium || -x /usr/bin/chromium ]] && return 0

  local -a sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      ledger_die "the browser tests need Chromium, which is missing and cannot be installed without root; $help"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    ledger_die "the browser tests need Chromium, which is missing, and apt-get is not available; $help"

  ledger_info "installing Chromium for the browser tests (apt-get install chromium)"
  local log
  log=$(mktemp /tmp/ledger-chromium.XXXXXX)
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$log" 2>&1; then
    tail -n 20 -- "$log" >&2
    rm -f -- "$log"
    ledger_die "apt-get install chromium failed; $help"
  fi
  rm -f -- "$log"
  [[ -x /usr/lib/chromium/chromium || -x /usr/bin/chromium ]] ||
    ledger_die "chromium was installed but neither /usr/lib/chromium/chromium nor /usr/bin/chromium exists"
}
# ------------------------------------------------------------------------------

ledger_require_dotnet
ledger_test_prerequisites

if [[ -n ${ConnectionStrings__Ledger:-} ]]; then
  ledger_info "using ConnectionStrings__Ledger from the environment (no local PostgreSQL)"
  export LEDGER_TEST_ADMIN_CONNECTION=${LEDGER_TEST_ADMIN_CONNECTION:-$ConnectionStrings__Ledger}
else
  ledger_ensure_postgres
  # Throwaway cluster: durability off for speed.
  LEDGER_PG_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${LEDGER_PG_OPTIONS:-}" \
    LEDGER_INITDB_OPTIONS="--no-sync ${LEDGER_INITDB_OPTIONS:-}" \
    ledger_pg_throwaway ledger-test
  export LEDGER_TEST_ADMIN_CONNECTION=$LEDGER_ADMIN_CONNECTION
fi

results=$(mktemp -d /tmp/ledger-results.XXXXXX)
trap 'ledger_pg_throwaway_cleanup; rm -rf -- "$results"' EXIT

ledger_info "dotnet test Ledger.sln"
rc=0
dotnet test Ledger.sln -c Release --logger "console;verbosity=normal" \
  --logger "trx" --results-directory "$results" "$@" || rc=$?

# One closing line over every test project: "N passed, N failed, N skipped".
summary=$(cat "$results"/*.trx 2>/dev/null | tr '>' '\n' | awk '
  /<Counters / {
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      gsub(/"/, "", kv[2])
      if (kv[1] == "total") total += kv[2]
      if (kv[1] == "passed") passed += kv[2]
      if (kv[1] == "failed") failed += kv[2]
    }
  }
  END { printf "%d %d %d", passed, failed, total - passed - failed }')
read -r passed failed skipped <<<"${summary:-0 0 0}"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((rc == 0 && passed == 0)); then
  ledger_die "no test ran"
fi
exit "$rc"
