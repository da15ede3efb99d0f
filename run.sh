#!/usr/bin/env bash
# Run the UN–OIC Commitment Ledger locally.
#
#   ./run.sh                         build and serve on http://127.0.0.1:5080/
#   ./run.sh token --role viewer     run a host CLI verb against the same database
#
# Without ConnectionStrings__Ledger, a private PostgreSQL cluster is kept in
# .ledger/postgres (port 55432), started here and stopped on exit; its data
# stays between runs. Without Ledger__Auth__SigningKey, a signing key is
# generated once in .ledger/signing-key.
set -euo pipefail

caller=$(pwd) # verbs resolve the files they are given (--out, --digest, …) from here
cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$(pwd)
# shellcheck source=scripts/postgres.sh
source "$repo/scripts/postgres.sh"

project=src/Ledger.Host
state=$repo/.ledger
pg_data=$state/postgres
pg_port=55432
default_port=5080

# Stop the cluster only if this run started it; the data stays.
cleanup() {
  if [[ ${LEDGER_PG_STARTED:-0} == 1 ]]; then
    ledger_info "stopping PostgreSQL (data kept in .ledger/postgres)"
    ledger_pg_stop "$pg_data" || true
  fi
}

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
  mkdir -- "$state"
  chmod 755 -- "$state" # the postgres user must traverse it when run as root
fi

# Database.
if [[ -n ${ConnectionStrings__Ledger:-} ]]; then
  ledger_info "using ConnectionStrings__Ledger from the environment (no local PostgreSQL)"
else
  ledger_ensure_postgres
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ledger_pg_start "$pg_data" "$pg_port"
fi

# Token signing key, generated once.
if [[ -z ${Ledger__Auth__SigningKey:-} ]]; then
  key_file=$state/signing-key
  if [[ ! -s $key_file ]]; then
    (umask 077 && ledger_random_base64 32 >"$key_file")
    ledger_info "generated a signing key in .ledger/signing-key"
  fi
  chmod 600 -- "$key_file"
  Ledger__Auth__SigningKey=$(<"$key_file")
  export Ledger__Auth__SigningKey
fi

ledger_info "building $project (Release)"
dotnet build "$project" -c Release -v q -nologo

if ((serve == 0)); then
  # Run the built host from the caller's folder, so relative paths mean what the caller meant.
  cd "$caller"
  DOTNET_CONTENTROOT="$repo/$project/bin/Release/net10.0" dotnet "$repo/$project/bin/Release/net10.0/Ledger.Host.dll" "$@"
  exit
fi

url=${ASPNETCORE_URLS%%;*}
cat <<BANNER

  UN–OIC Commitment Ledger
  Dashboard:  ${url%/}/
  Get a token (in another terminal):
      ./run.sh token --role secretariat
    or, with this script's environment (ConnectionStrings__Ledger, Ledger__Auth__SigningKey):
      dotnet run --project $project -c Release --no-launch-profile -- token --role secretariat
  Stop with Ctrl-C.

BANNER

dotnet run --project "$project" -c Release --no-build --no-launch-profile
