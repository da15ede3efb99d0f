#!/usr/bin/env bash
# Run the UN–OIC Commitment Ledger locally.
#
#   ./run.sh                         build and serve on http://127.0.0.1:5080/
#   ./run.sh token --role viewer     run a host CLI verb against the same database
#
# Without ConnectionStrings__Ledger, a private PostgreSQL cluster is kept in
# .ledger/postgres (port 55432), started here and stopped on exit; its data
# stays between runs. Without Ledger__Auth__SigningKey, a signing key is
# generated once in .ledger/signing-key; without Ledger__TreeHeads__KeyFile (or
# Ledger__TreeHeads__Key), a tree-head signing key in .ledger/tree-head-key.pem.
#
# Two database roles: the schema is applied as the owner (db-apply, a process of
# its own), then the host serves with only the runtime role's connection string
# in its environment. Ctrl-C (INT) and kill (TERM) stop the host, then the
# cluster. LEDGER_STATE_DIR and LEDGER_PG_PORT move .ledger/ and 55432 elsewhere.
set -euo pipefail

caller=$(pwd) # verbs resolve the files they are given (--out, --digest, …) from here
cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$(pwd)
# shellcheck source=scripts/postgres.sh
source "$repo/scripts/postgres.sh"

project=src/Ledger.Host
out=$repo/$project/bin/Release/net10.0
state=$(realpath -m -- "${LEDGER_STATE_DIR:-$repo/.ledger}")
pg_data=$state/postgres
pg_port=${LEDGER_PG_PORT:-55432}
default_port=5080

# --- signals -----------------------------------------------------------------
# Every long step runs as a child in the background while this script waits, so an INT or a
# TERM reaches this script at once. It is passed on to the child as TERM (a background child
# of a script ignores INT), the child gets 45 s to stop (then it is killed), and the script
# exits through its EXIT trap, which stops the cluster it started.
child="" stopping=""

on_signal() {
  stopping=$1
  if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null || true; fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# Stop here if INT or TERM arrived during a step that ran in the foreground.
stop_if_asked() {
  if [[ -n $stopping ]]; then exit "$stopping"; fi
}

# run_child CMD…: runs CMD as a child, waits for it and returns its exit code; exits instead
# when INT or TERM arrived meanwhile.
run_child() {
  stop_if_asked
  "$@" &
  child=$!
  local rc=0 tenths=0
  wait "$child" || rc=$?
  if [[ -n $stopping ]]; then
    # wait returned early, for the signal: the child was told to stop; give it its time.
    while kill -0 "$child" 2>/dev/null && ((tenths < 450)); do
      sleep 0.1
      tenths=$((tenths + 1))
    done
    kill -KILL "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  child=""
  stop_if_asked
  return "$rc"
}

# Stop the cluster only if this run started it; the data stays.
cleanup() {
  if [[ ${LEDGER_PG_STARTED:-0} == 1 ]]; then
    ledger_info "stopping PostgreSQL (data kept in ${pg_data#"$repo"/})"
    ledger_pg_stop "$pg_data" || true
  fi
}
# ------------------------------------------------------------------------------

ledger_require_dotnet

# No arguments: serve. Arguments: a CLI verb for the host.
serve=1
if (($# > 0)); then serve=0; fi

if ((serve)) && [[ -z ${ASPNETCORE_URLS:-} ]]; then
  if ledger_port_busy "$default_port"; then
    ledger_die "port $default_port is busy; stop the other process or set ASPNETCORE_URLS"
  fi
  export ASPNETCORE_URLS=http://127.0.0.1:$default_port
fi

if [[ ! -d $state ]]; then
  mkdir -p -- "$state"
  chmod 755 -- "$state" # the postgres user must traverse it when run as root
fi

# Database.
schema_stale=0
if [[ -n ${ConnectionStrings__Ledger:-} ]]; then
  ledger_info "using ConnectionStrings__Ledger from the environment (no local PostgreSQL)"
  if [[ -z ${ConnectionStrings__LedgerOwner:-} ]]; then
    ledger_info "no ConnectionStrings__LedgerOwner: the host applies the schema itself if its role owns it (one role), else checks it"
  fi
else
  ledger_ensure_postgres
  trap cleanup EXIT
  ledger_pg_start "$pg_data" "$pg_port"
  schema_stale=$LEDGER_PG_SCHEMA_STALE
fi
stop_if_asked

# Token signing key, generated once.
if [[ -z ${Ledger__Auth__SigningKey:-} ]]; then
  key_file=$state/signing-key
  if [[ ! -s $key_file ]]; then
    (umask 077 && ledger_random_base64 32 >"$key_file")
    ledger_info "generated a signing key in ${key_file#"$repo"/}"
  fi
  chmod 600 -- "$key_file"
  Ledger__Auth__SigningKey=$(<"$key_file")
  export Ledger__Auth__SigningKey
fi

ledger_info "building $project (Release)"
run_child dotnet build "$project" -c Release -v q -nologo

# The host, as a command: never the superuser's connection string.
host=(env -u LEDGER_ADMIN_CONNECTION DOTNET_CONTENTROOT="$out" dotnet "$out/Ledger.Host.dll")

# The schema, as the owner, in a process of its own: before serving, and before a verb when
# the database is new or was just upgraded. Without an owner's connection the host decides.
if [[ -n ${ConnectionStrings__LedgerOwner:-} ]] && ((serve || schema_stale)); then
  ledger_info "applying the schema as the owner (db-apply)"
  log=$state/db-apply.log
  if ! run_child "${host[@]}" db-apply >"$log" 2>&1; then
    tail -n 30 -- "$log" >&2
    ledger_die "db-apply failed (the whole output is in $log)"
  fi
fi

# Tree-head signing key (ECDSA P-256), generated once by the host's tree-head-key verb.
if [[ -z ${Ledger__TreeHeads__KeyFile:-}${Ledger__TreeHeads__Key:-} ]]; then
  export Ledger__TreeHeads__KeyFile=$state/tree-head-key.pem
  if [[ ! -s $Ledger__TreeHeads__KeyFile ]]; then
    rm -f -- "$Ledger__TreeHeads__KeyFile"
    run_child "${host[@]}" tree-head-key --out "$Ledger__TreeHeads__KeyFile" >/dev/null
    ledger_info "generated a tree-head signing key in ${Ledger__TreeHeads__KeyFile#"$repo"/}"
  fi
fi

if ((serve == 0)); then
  # A verb gets the owner's connection too, so the verbs that change the schema can.
  # It runs from the caller's folder, so relative paths mean what the caller meant.
  cd "$caller"
  rc=0
  run_child "${host[@]}" "$@" || rc=$?
  exit "$rc"
fi

url=${ASPNETCORE_URLS%%;*}
cat <<BANNER

  UN–OIC Commitment Ledger
  Dashboard:  ${url%/}/
  Get a token (in another terminal):
      ./run.sh token --role secretariat
    or, with this script's environment (ConnectionStrings__Ledger, Ledger__Auth__SigningKey):
      dotnet run --project $project -c Release --no-launch-profile -- token --role secretariat
  Stop with Ctrl-C (or kill $$): the host, then PostgreSQL.

BANNER

# Serving: only the runtime role's connection string, neither the owner's nor the superuser's.
rc=0
run_child env -u ConnectionStrings__LedgerOwner "${host[@]}" || rc=$?
exit "$rc"
