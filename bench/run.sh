#!/usr/bin/env bash
# Measure the ledger's speed targets as ratios to the raw PostgreSQL ceiling of the same run.
#
#   bench/run.sh                  full run (30 minutes or more on two cores with the default 1,000,000 events)
#   bench/run.sh --quick          smoke run: every measure once, briefly, on 20,000 events
#   bench/run.sh --events N       the largest ledger's size (the reads are also measured at a tenth and a hundredth)
#   bench/run.sh --burst-rate N   events/s of the write bursts the async daemon must keep up with (default 1000)
#   bench/run.sh --only reads     only the read phase (or: writes), when working on one side
#                                 (or: rebuilds, the read phase's raw scans, rebuilds and rebuild proof alone)
#   bench/run.sh --out FILE       where the markdown table goes (default bench/results/<time>.md)
#
# Starts a throwaway PostgreSQL cluster with the server's durable defaults (fsync,
# synchronous_commit and full_page_writes on) in a temporary folder, builds the
# harness and the host in Release, runs the harness and removes the cluster. Exits
# non-zero only when something went wrong, not when a target is missed.
#
# LEDGER_BENCH_PG_OPTIONS adds server settings for profiling, e.g.
#   LEDGER_BENCH_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
# (never settings that weaken durability: the targets are measured on a durable server).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
repo=$(pwd)
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

args=()
out=""
while (($# > 0)); do
  case $1 in
    --quick) args+=(--quick) ;;
    --events)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || ledger_die "--events needs a whole number"
      args+=(--events "$2")
      shift
      ;;
    --burst-rate)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || ledger_die "--burst-rate needs a whole number"
      args+=(--burst-rate "$2")
      shift
      ;;
    --only)
      [[ $# -ge 2 && $2 =~ ^(reads|writes|rebuilds|all)$ ]] || ledger_die "--only needs reads, writes, rebuilds or all"
      args+=(--only "$2")
      shift
      ;;
    --out)
      [[ $# -ge 2 ]] || ledger_die "--out needs a file name"
      out=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) ledger_die "unknown option $1 (see bench/run.sh --help)" ;;
  esac
  shift
done
if [[ -z $out ]]; then
  out=$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ).md
fi
case $out in /*) ;; *) out=$PWD/$out ;; esac

ledger_require_dotnet
ledger_ensure_postgres
# Durable: no fsync=off and friends (compare test.sh). More connections than the default 100
# only because the raw writers, the store's writers and the host's pools meet on one server.
LEDGER_PG_OPTIONS="-c max_connections=200 ${LEDGER_BENCH_PG_OPTIONS:-}" ledger_pg_throwaway ledger-bench
work=$LEDGER_PG_THROWAWAY

ledger_info "building the harness and the host (Release)"
dotnet build bench/Ledger.Bench -c Release -v q -nologo

rc=0
LEDGER_BENCH_HOST_DLL=$repo/src/Ledger.Host/bin/Release/net10.0/Ledger.Host.dll \
  dotnet bench/Ledger.Bench/bin/Release/net10.0/Ledger.Bench.dll "${args[@]}" --out "$out" --work "$work" || rc=$?
if ((rc != 0)); then
  for log in "$work"/host-*.log; do
    [[ -f $log ]] || continue
    echo "--- last lines of $(basename "$log")" >&2
    tail -n 20 -- "$log" >&2
  done
fi
exit "$rc"
