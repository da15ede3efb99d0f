#!/usr/bin/env bash
# Run the whole test suite: ./test.sh [--filter EXPR] [extra dotnet test arguments]
#
# Without ConnectionStrings__Ledger, a throwaway PostgreSQL cluster is started
# in a temporary folder under /tmp on a free port and removed on exit.
# Two steps: the unit, integration and browser tests on that fast cluster, then
# the fault suite (tests/Ledger.Reliability.Tests) on a second, durable cluster,
# which it crashes and restarts. Both clusters have the ledger's two roles; each
# step gets ConnectionStrings__Ledger (the runtime role), LEDGER_TEST_OWNER_CONNECTION
# (the owner) and LEDGER_TEST_ADMIN_CONNECTION (the superuser, which creates the
# tests' own databases, owned by the owner). Never touches .ledger/. A --filter
# narrows both steps. With ConnectionStrings__Ledger set, that server is used: give
# ConnectionStrings__LedgerOwner and LEDGER_TEST_ADMIN_CONNECTION with it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

# --- Test prerequisites ------------------------------------------------------
# Debian packages the tests drive, installed when missing (as root or via sudo -n):
# Chromium for the browser tests (tests/Ledger.Browser.Tests, through Playwright,
# which itself never downloads a browser; LEDGER_CHROMIUM may name another
# binary), and Prometheus, which scrapes a host process in the telemetry tests
# (LEDGER_PROMETHEUS may name another binary).

# ledger_test_apt_install WHAT HELP PACKAGE: install PACKAGE for WHAT, or stop with HELP.
# The package's service, if it has one, is not started by the installation.
ledger_test_apt_install() {
  local what=$1 help=$2 package=$3
  local -a sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      ledger_die "$what, which is missing and cannot be installed without root; $help"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    ledger_die "$what, which is missing, and apt-get is not available; $help"

  ledger_info "installing $package for the tests (apt-get install $package)"
  local log guard="" rc=0
  log=$(mktemp /tmp/ledger-apt.XXXXXX)
  # invoke-rc.d and deb-systemd-invoke start no service while policy-rc.d answers 101.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    guard=/usr/sbin/policy-rc.d
    "${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' >$guard && chmod 755 $guard"
  fi
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package"; } >"$log" 2>&1 || rc=$?
  [[ -z $guard ]] || "${sudo[@]}" rm -f -- "$guard"
  if ((rc != 0)); then
    tail -n 20 -- "$log" >&2
    rm -f -- "$log"
    ledger_die "apt-get install $package failed; $help"
  fi
  rm -f -- "$log"
}

ledger_test_prerequisites() {
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  local help="install it with 'sudo apt-get install -y chromium', or set LEDGER_CHROMIUM to a Chromium binary"
  if [[ -n ${LEDGER_CHROMIUM:-} ]]; then
    [[ -x $LEDGER_CHROMIUM ]] || ledger_die "LEDGER_CHROMIUM=$LEDGER_CHROMIUM is not an executable file"
  elif [[ ! -x /usr/lib/chromium/chromium && ! -x /usr/bin/chromium ]]; then
    ledger_test_apt_install "the browser tests need Chromium" "$help" chromium
    [[ -x /usr/lib/chromium/chromium || -x /usr/bin/chromium ]] ||
      ledger_die "chromium was installed but neither /usr/lib/chromium/chromium nor /usr/bin/chromium exists"
  fi

  help="install it with 'sudo apt-get install -y prometheus', or set LEDGER_PROMETHEUS to a Prometheus binary"
  if [[ -n ${LEDGER_PROMETHEUS:-} ]]; then
    [[ -x $LEDGER_PROMETHEUS ]] || ledger_die "LEDGER_PROMETHEUS=$LEDGER_PROMETHEUS is not an executable file"
  elif [[ ! -x /usr/bin/prometheus ]]; then
    ledger_test_apt_install "the telemetry tests need Debian's prometheus" "$help" prometheus
    [[ -x /usr/bin/prometheus ]] || ledger_die "prometheus was installed but /usr/bin/prometheus does not exist"
  fi
}
# ------------------------------------------------------------------------------

ledger_require_dotnet
ledger_test_prerequisites

# A --filter of the caller's applies to both steps; other arguments go to both as they are.
user_filter="" extra=()
while (($# > 0)); do
  case $1 in
    --filter)
      [[ $# -ge 2 ]] || ledger_die "--filter needs an expression"
      user_filter=$2
      shift 2
      ;;
    *)
      extra+=("$1")
      shift
      ;;
  esac
done
suite_filter="FullyQualifiedName!~Ledger.Reliability.Tests"
fault_filter=()
if [[ -n $user_filter ]]; then
  suite_filter="($user_filter)&$suite_filter"
  fault_filter=(--filter "$user_filter")
fi

results=$(mktemp -d /tmp/ledger-results.XXXXXX)
figures=$results/figures.txt
: >"$figures"
trap 'ledger_pg_throwaway_cleanup; rm -rf -- "$results"' EXIT

if [[ -n ${ConnectionStrings__Ledger:-} ]]; then
  ledger_info "using ConnectionStrings__Ledger from the environment (no local PostgreSQL)"
  fast_app=$ConnectionStrings__Ledger
  fast_owner=${ConnectionStrings__LedgerOwner:-$fast_app}
  fast_admin=${LEDGER_TEST_ADMIN_CONNECTION:-$fast_owner}
  durable_app=$fast_app durable_owner=$fast_owner durable_admin=$fast_admin durable_data=""
else
  ledger_ensure_postgres
  # The fault suite's cluster: the server's durable defaults (fsync, synchronous_commit and
  # full_page_writes on), because it proves that acknowledged writes survive a crash.
  LEDGER_PG_OPTIONS="-c max_connections=300 ${LEDGER_PG_OPTIONS:-}" ledger_pg_throwaway ledger-durable
  durable_app=$ConnectionStrings__Ledger durable_owner=$ConnectionStrings__LedgerOwner
  durable_admin=$LEDGER_ADMIN_CONNECTION durable_data=$LEDGER_PG_THROWAWAY/data
  # Everything else: a throwaway cluster with durability off for speed.
  LEDGER_PG_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${LEDGER_PG_OPTIONS:-}" \
    LEDGER_INITDB_OPTIONS="--no-sync ${LEDGER_INITDB_OPTIONS:-}" \
    ledger_pg_throwaway ledger-test
  fast_app=$ConnectionStrings__Ledger fast_owner=$ConnectionStrings__LedgerOwner fast_admin=$LEDGER_ADMIN_CONNECTION
fi
# ledger_pg_throwaway set its own EXIT trap: remove the results folder too.
trap 'ledger_pg_throwaway_cleanup; rm -rf -- "$results"' EXIT
# The tests hand each host only the connection strings it should have: none leaks from here.
unset ConnectionStrings__LedgerOwner LEDGER_ADMIN_CONNECTION

ledger_info "building Ledger.sln (Release)"
dotnet build Ledger.sln -c Release -v q -nologo

rc=0
ledger_info "unit, integration and browser tests"
ConnectionStrings__Ledger=$fast_app LEDGER_TEST_OWNER_CONNECTION=$fast_owner LEDGER_TEST_ADMIN_CONNECTION=$fast_admin \
  dotnet test Ledger.sln -c Release --no-build --filter "$suite_filter" \
  --logger "console;verbosity=normal" --logger "trx;LogFilePrefix=suite" --results-directory "$results" ${extra[@]+"${extra[@]}"} || rc=$?

ledger_info "fault suite (R1–R10, docs/reliability.md) on a durable cluster"
ConnectionStrings__Ledger=$durable_app LEDGER_TEST_OWNER_CONNECTION=$durable_owner LEDGER_TEST_ADMIN_CONNECTION=$durable_admin \
  LEDGER_DURABLE_DATA=$durable_data LEDGER_PG_BINDIR=$(ledger_pg_bindir 2>/dev/null || true) \
  LEDGER_PG_RUN_AS=$(ledger_pg_run_as) LEDGER_FIGURES_FILE=$figures \
  dotnet test tests/Ledger.Reliability.Tests -c Release --no-build ${fault_filter[@]+"${fault_filter[@]}"} \
  --logger "console;verbosity=normal" --logger "trx;LogFilePrefix=faults" --results-directory "$results" ${extra[@]+"${extra[@]}"} || rc=$?

if [[ -s $figures ]]; then
  echo
  echo "Reliability figures (docs/reliability.md):"
  sort -V -- "$figures" | sed 's/^/  /'
fi

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
