#!/usr/bin/env bash
# shellcheck shell=bash
#
# Shared helpers for run.sh, test.sh and bench/run.sh: .NET SDK check and a private
# PostgreSQL cluster (initdb/pg_ctl from /usr/lib/postgresql/<ver>/bin).
# This file is a library: source it, do not execute it.
#
# Public functions:
#   ledger_die MSG                 print "error: MSG" to stderr, exit 1
#   ledger_info MSG                print "==> MSG" on standard error
#   ledger_require_dotnet          require a .NET 10 SDK
#   ledger_pg_bindir [MAJOR]       newest (or given) PostgreSQL server bin dir
#   ledger_ensure_postgres         install PostgreSQL server binaries if missing
#   ledger_pg_start DATADIR PORT   create/start a private cluster with the ledger's
#                                  roles, export its connection strings
#   ledger_pg_stop DATADIR         stop that cluster (quiet if not running)
#   ledger_pg_throwaway PREFIX     start a private cluster in a new folder
#                                  /tmp/PREFIX.XXXXXX on a free port, removed
#                                  with the folder when the shell exits; sets
#                                  LEDGER_PG_THROWAWAY to the folder
#   ledger_pg_throwaway_cleanup    stop and remove them now (for an EXIT trap
#                                  that does more than that)
#   ledger_pg_run_as               print the system user server tools run as
#                                  (postgres when root, empty otherwise)
#   ledger_port_busy PORT          succeed if something listens on PORT
#   ledger_free_port               print a free TCP port on 127.0.0.1
#   ledger_random_hex N            N random bytes, hex encoded
#   ledger_random_base64 N         N random bytes, base64 encoded
#
# Environment read by ledger_pg_start:
#   LEDGER_PG_OPTIONS       extra server settings, e.g. "-c fsync=off"
#   LEDGER_INITDB_OPTIONS   extra initdb options, e.g. "--no-sync"
# Environment set by ledger_pg_start (Npgsql connection strings for database "ledger"):
#   ConnectionStrings__Ledger       as ledger_app, the runtime role a serving host uses
#   ConnectionStrings__LedgerOwner  as ledger_owner, the owner: schema steps only
#   LEDGER_ADMIN_CONNECTION         as ledger, the superuser: tests and tamper demos only
#   LEDGER_PG_STARTED               1 if this call started the server, 0 if reused
#   LEDGER_PG_SCHEMA_STALE          1 if the database is new or was just upgraded (run db-apply)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "error: ${0##*/} is a library; it is sourced by run.sh and test.sh" >&2
  exit 1
fi

set -euo pipefail

ledger_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Status lines go to standard error, so standard output carries only what was asked
# for (`./run.sh token | tail -n 1` is the token).
ledger_info() {
  printf '==> %s\n' "$*" >&2
}

# --- .NET ------------------------------------------------------------------

ledger_require_dotnet() {
  local get="get it from https://dotnet.microsoft.com/download"
  command -v dotnet >/dev/null 2>&1 ||
    ledger_die "the .NET 10 SDK is required but 'dotnet' was not found; $get"
  local sdks
  sdks=$(dotnet --list-sdks 2>/dev/null || true)
  grep -Eq '^10\.' <<<"$sdks" ||
    ledger_die "the .NET 10 SDK is required (installed SDKs: $(tr '\n' ' ' <<<"${sdks:-none}")); $get"
  # Keep the CLI output short.
  export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
  export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}
}

# --- small helpers -----------------------------------------------------------

ledger_random_hex() {
  local n=${1:-24}
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$n"
  else
    od -An -tx1 -N"$n" /dev/urandom | tr -d ' \n'
    echo
  fi
}

ledger_random_base64() {
  local n=${1:-32}
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 "$n" | tr -d '\n'
  else
    head -c "$n" /dev/urandom | base64 -w0
  fi
  echo
}

# Succeeds if something accepts TCP connections on PORT (any local address).
ledger_port_busy() {
  local port=${1:?port}
  if command -v ss >/dev/null 2>&1 &&
    [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null || true) ]]; then
    return 0
  fi
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null
}

ledger_free_port() {
  local i port
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12000))
    if ! ledger_port_busy "$port"; then
      echo "$port"
      return 0
    fi
  done
  ledger_die "could not find a free TCP port on 127.0.0.1"
}

# --- PostgreSQL binaries -----------------------------------------------------

# Prints the newest /usr/lib/postgresql/<ver>/bin holding initdb, pg_ctl and
# postgres (or the one for MAJOR if given); returns 1 if there is none.
ledger_pg_bindir() {
  local want=${1:-} dir
  while IFS= read -r dir; do
    [[ -n $want && $dir != "/usr/lib/postgresql/$want/bin" ]] && continue
    if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
      echo "$dir"
      return 0
    fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
  return 1
}

ledger_ensure_postgres() {
  ledger_pg_bindir >/dev/null && return 0

  local help="install PostgreSQL (sudo apt-get install postgresql) or set ConnectionStrings__Ledger to an existing database"
  local -a sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      ledger_die "PostgreSQL server binaries were not found under /usr/lib/postgresql and cannot be installed without root; $help"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    ledger_die "PostgreSQL server binaries were not found and apt-get is not available; $help"

  ledger_info "installing PostgreSQL (apt-get install postgresql)"
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }; then
    ledger_die "apt-get install postgresql failed; $help"
  fi

  ledger_pg_bindir >/dev/null ||
    ledger_die "PostgreSQL was installed but no server binaries were found under /usr/lib/postgresql"
}

ledger_pg_run_as() {
  if ((EUID == 0)); then echo postgres; fi
}

# Runs a PostgreSQL server tool as the cluster owner: the postgres user when
# we are root (the server refuses to run as root), else the current user.
ledger__pg_run() {
  if ((EUID == 0)); then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u postgres -- "$@")
    else
      (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")")
    fi
  else
    "$@"
  fi
}

# Prints the last lines of the server log, then dies.
ledger__pg_fail() {
  local msg=$1 log=$2
  if [[ -s $log ]]; then
    echo "--- last 30 lines of $log ---" >&2
    tail -n 30 -- "$log" >&2
    echo "---" >&2
  fi
  ledger_die "$msg"
}

# --- private cluster ---------------------------------------------------------

# ledger_pg_start DATADIR PORT
# Layout: DATADIR (cluster), DATADIR/../run (unix socket), DATADIR/../postgres.log,
# DATADIR/../pg-password (superuser "ledger"), pg-owner-password, pg-app-password.
ledger_pg_start() {
  local datadir=${1:?usage: ledger_pg_start DATADIR PORT} port=${2:?usage: ledger_pg_start DATADIR PORT}
  [[ $port =~ ^[0-9]+$ ]] || ledger_die "invalid port: $port"
  LEDGER_PG_STARTED=0
  export LEDGER_PG_STARTED

  # Absolute paths (server tools run from /).
  local parent base name
  parent=$(dirname -- "$datadir")
  name=$(basename -- "$datadir")
  if [[ ! -d $parent ]]; then
    mkdir -p -- "$parent"
    chmod 755 -- "$parent"
  fi
  base=$(cd -- "$parent" && pwd)
  datadir=$base/$name
  local rundir=$base/run logfile=$base/postgres.log pwfile=$base/pg-password

  # Server binaries: those matching an existing cluster, else the newest.
  local bindir ver
  if [[ -f $datadir/PG_VERSION ]]; then
    ver=$(<"$datadir/PG_VERSION")
    bindir=$(ledger_pg_bindir "$ver") ||
      ledger_die "$datadir was created by PostgreSQL $ver, which is not installed; install postgresql-$ver or remove $datadir"
  else
    bindir=$(ledger_pg_bindir) ||
      ledger_die "PostgreSQL server binaries were not found under /usr/lib/postgresql; install PostgreSQL (sudo apt-get install postgresql)"
  fi
  local psql=$bindir/psql
  [[ -x $psql ]] || psql=$(command -v psql) ||
    ledger_die "psql was not found; install the PostgreSQL client (sudo apt-get install postgresql-client)"

  # As root, everything runs as postgres: it must be able to reach $base.
  local owner_uid=$EUID
  if ((EUID == 0)); then
    owner_uid=$(id -u postgres 2>/dev/null) ||
      ledger_die "the 'postgres' system user does not exist; install PostgreSQL (sudo apt-get install postgresql)"
    ledger__pg_run test -x "$base" ||
      ledger_die "the postgres user cannot reach $base (a parent folder is not world-traversable); PostgreSQL will not run as root, so move the folder or set ConnectionStrings__Ledger"
  fi

  # Superuser password, generated once and kept next to the cluster.
  if [[ ! -s $pwfile ]]; then
    [[ -f $datadir/PG_VERSION ]] &&
      ledger_die "$datadir exists but its password file $pwfile is missing; remove $datadir to recreate the cluster"
    (umask 077 && ledger_random_hex 24 >"$pwfile")
  fi
  chmod 600 -- "$pwfile"
  local password
  password=$(<"$pwfile")

  # Create the cluster if needed.
  if [[ ! -f $datadir/PG_VERSION ]]; then
    if [[ -d $datadir && -n $(ls -A -- "$datadir") ]]; then
      ledger_die "$datadir is not empty and is not a PostgreSQL cluster; remove it or choose another folder"
    fi
    [[ -d $datadir ]] || mkdir -m 700 -- "$datadir"
    if ((EUID == 0)); then chown postgres:postgres -- "$datadir"; fi
    ledger_info "creating PostgreSQL cluster in $datadir"

    # initdb reads the password from a file the cluster owner can read.
    local tmppw rc=0 locale
    tmppw=$(mktemp "$base/.initdb-pw.XXXXXX")
    printf '%s\n' "$password" >"$tmppw"
    if ((EUID == 0)); then chown postgres -- "$tmppw"; fi
    for locale in C.UTF-8 C; do
      rc=0
      # shellcheck disable=SC2086 # LEDGER_INITDB_OPTIONS is a word list
      ledger__pg_run "$bindir/initdb" -D "$datadir" --auth=scram-sha-256 \
        --username=ledger --pwfile="$tmppw" --encoding=UTF8 --locale="$locale" \
        ${LEDGER_INITDB_OPTIONS:-} >"$base/initdb.log" 2>&1 || rc=$?
      ((rc == 0)) && break
    done
    rm -f -- "$tmppw"
    ((rc == 0)) || ledger__pg_fail "initdb failed (exit $rc)" "$base/initdb.log"
  fi
  [[ $(stat -c %u -- "$datadir") == "$owner_uid" ]] ||
    ledger_die "$datadir belongs to another user ($(stat -c %U -- "$datadir")); run as that user or remove $datadir"

  # Socket directory and log file, owned by the cluster owner.
  [[ -d $rundir ]] || mkdir -m 700 -- "$rundir"
  touch -- "$logfile"
  if ((EUID == 0)); then chown postgres:postgres -- "$rundir" "$logfile"; fi
  # Unix socket paths are limited (~107 bytes); TCP is all we use, so a
  # long path just means no unix socket.
  local sockdir=$rundir
  ((${#rundir} + 10 + ${#port} < 100)) || sockdir=""

  # Reuse our server if it is already running on PORT.
  local reuse=0 running_port
  if ledger__pg_run "$bindir/pg_ctl" status -D "$datadir" >/dev/null 2>&1; then
    running_port=$(sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
    if [[ $running_port == "$port" ]]; then
      reuse=1
      ledger_info "PostgreSQL already running in $datadir on port $port; reusing it"
    else
      ledger_info "PostgreSQL in $datadir runs on port ${running_port:-?}; restarting on $port"
      ledger_pg_stop "$datadir"
    fi
  fi

  if ((reuse == 0)); then
    ledger_port_busy "$port" &&
      ledger_die "port $port is busy; stop the other process or choose another port"
    local opts out
    opts="-c listen_addresses=127.0.0.1 -p $port -k $(printf '%q' "$sockdir")"
    if [[ -n ${LEDGER_PG_OPTIONS:-} ]]; then opts+=" $LEDGER_PG_OPTIONS"; fi
    ledger_info "starting PostgreSQL on 127.0.0.1:$port (log: $logfile)"
    out=$(ledger__pg_run "$bindir/pg_ctl" start -D "$datadir" -l "$logfile" \
      -w -t 60 -o "$opts" 2>&1) || {
      printf '%s\n' "$out" >&2
      ledger__pg_fail "PostgreSQL did not start" "$logfile"
    }
    LEDGER_PG_STARTED=1
  fi

  # Roles and the "ledger" database (see docs/operations.md, "Database roles"):
  #   ledger            the superuser: administration, and the tests' tamper demonstrations
  #   ledger_owner      owns the database, the schema "ledger" and everything in it; runs the
  #                     schema steps (db-apply, import, maintenance); never serves
  #   ledger_app        the runtime role the host serves with: appends events and maintains the
  #                     read models, and cannot change stored events (db-apply grants it exactly that)
  #   ledger_bi_reader  NOLOGIN; SELECT on the BI views (granted by the schema step)
  # Passwords are generated once and kept next to the cluster (mode 600).
  local -a sql=("$psql" -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U ledger -d postgres)
  local exists
  exists=$(PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "${sql[@]}" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'ledger'" 2>&1) ||
    ledger__pg_fail "cannot connect to PostgreSQL on 127.0.0.1:$port: $exists" "$logfile"
  local owner_password app_password
  owner_password=$(ledger__pg_secret "$base/pg-owner-password")
  app_password=$(ledger__pg_secret "$base/pg-app-password")
  PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "${sql[@]}" -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_owner') THEN
        CREATE ROLE ledger_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app') THEN
        CREATE ROLE ledger_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_bi_reader') THEN
        CREATE ROLE ledger_bi_reader NOLOGIN;
      END IF;
    END \$\$;" -c "ALTER ROLE ledger_owner PASSWORD '$owner_password'" \
    -c "ALTER ROLE ledger_app PASSWORD '$app_password'" >/dev/null ||
    ledger__pg_fail "could not create the roles ledger_owner and ledger_app" "$logfile"

  # LEDGER_PG_SCHEMA_STALE=1: the database is new, or was just upgraded, and needs db-apply.
  LEDGER_PG_SCHEMA_STALE=0
  export LEDGER_PG_SCHEMA_STALE
  if [[ $exists != 1 ]]; then
    PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "${sql[@]}" -c 'CREATE DATABASE ledger OWNER ledger_owner' >/dev/null ||
      ledger__pg_fail "could not create database ledger" "$logfile"
    LEDGER_PG_SCHEMA_STALE=1
  else
    # A cluster made by an earlier version has everything owned by ledger_app, the role the host
    # serves with. Hand the database and every object in it to ledger_owner, in place (data kept);
    # db-apply then grants ledger_app exactly the runtime's privileges.
    local old
    old=$(PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "${sql[@]}" -d ledger -tAc \
      "SELECT pg_get_userbyid(d.datdba) = 'ledger_app'
              OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = 'ledger' AND pg_get_userbyid(n.nspowner) = 'ledger_app')
         FROM pg_database d WHERE d.datname = 'ledger'") ||
      ledger__pg_fail "could not read who owns database ledger" "$logfile"
    if [[ $old == t ]]; then
      ledger_info "upgrading database ledger: ownership moves from ledger_app to ledger_owner (data kept)"
      PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "${sql[@]}" -d ledger -1 \
        -c 'ALTER DATABASE ledger OWNER TO ledger_owner' -c 'REASSIGN OWNED BY ledger_app TO ledger_owner' >/dev/null ||
        ledger__pg_fail "could not hand database ledger to ledger_owner" "$logfile"
      LEDGER_PG_SCHEMA_STALE=1
    fi
  fi

  local at="Host=127.0.0.1;Port=$port;Database=ledger"
  export ConnectionStrings__Ledger="$at;Username=ledger_app;Password=$app_password;"
  export ConnectionStrings__LedgerOwner="$at;Username=ledger_owner;Password=$owner_password;"
  export LEDGER_ADMIN_CONNECTION="$at;Username=ledger;Password=$password;"
}

# ledger__pg_secret FILE: prints the password kept in FILE, generating it first if needed.
ledger__pg_secret() {
  local file=${1:?file}
  if [[ ! -s $file ]]; then
    (umask 077 && ledger_random_hex 24 >"$file")
  fi
  chmod 600 -- "$file"
  cat -- "$file"
}

# ledger_pg_stop DATADIR: fast shutdown; quiet if nothing is running.
ledger_pg_stop() {
  local datadir=${1:?usage: ledger_pg_stop DATADIR}
  [[ $datadir == /* ]] || datadir=$PWD/$datadir
  [[ -f $datadir/PG_VERSION ]] || return 0
  local bindir
  bindir=$(ledger_pg_bindir "$(<"$datadir/PG_VERSION")") || bindir=$(ledger_pg_bindir) || return 0
  ledger__pg_run "$bindir/pg_ctl" status -D "$datadir" >/dev/null 2>&1 || return 0
  ledger__pg_run "$bindir/pg_ctl" stop -D "$datadir" -m fast -w -t 60 -s >/dev/null 2>&1 || {
    echo "warning: could not stop PostgreSQL in $datadir" >&2
    return 1
  }
}

# ledger_pg_throwaway PREFIX: a cluster that lives as long as this shell. The EXIT
# trap stops it and removes its folder; INT and TERM exit through that trap. May be
# called more than once (each call starts one more cluster; the last one's
# connection strings are exported); LEDGER_PG_THROWAWAY is the last one's folder.
ledger_pg_throwaway() {
  local prefix=${1:?usage: ledger_pg_throwaway PREFIX}
  LEDGER_PG_THROWAWAY=""
  trap ledger_pg_throwaway_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  LEDGER_PG_THROWAWAY=$(mktemp -d "/tmp/$prefix.XXXXXX")
  LEDGER__PG_THROWAWAYS+=("$LEDGER_PG_THROWAWAY")
  chmod 755 "$LEDGER_PG_THROWAWAY" # the postgres user must traverse it when run as root
  ledger_pg_start "$LEDGER_PG_THROWAWAY/data" "$(ledger_free_port)"
}
LEDGER__PG_THROWAWAYS=()

# shellcheck disable=SC2317 # called from the EXIT trap
ledger_pg_throwaway_cleanup() {
  local dir
  for dir in "${LEDGER__PG_THROWAWAYS[@]}"; do
    ledger_pg_stop "$dir/data" || true
    rm -rf -- "$dir"
  done
  LEDGER__PG_THROWAWAYS=()
}
