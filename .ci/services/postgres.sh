#!/usr/bin/env bash
# Throwaway PostgreSQL for the tests (the test-services convention in test.sh): installs postgresql with apt-get
# when missing (as root), creates a cluster in a fresh temp folder, runs it on a free 127.0.0.1 port, creates a
# role with CREATEDB (tests create their own databases) and exports to .test-services/env:
#   KEYPAIRAUTH_TEST_POSTGRES   an Npgsql connection string for that role and its own database
# and appends its stop command to .test-services/stop. Nothing here needs the network except apt.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .test-services

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bin="$(pg_bin || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is missing and this is not root: install it (Debian: apt-get install postgresql)" >&2
    exit 1
  fi
  # The package's own cluster (port 5432, started by the package scripts) is not wanted: the tests run their own.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/keypairauth-tests.conf
  # One apt-get update per test run, shared with the other service scripts that use the same marker.
  if [ ! -e .test-services/apt-updated ]; then
    apt-get update -qq -o DPkg::Lock::Timeout=300
    touch .test-services/apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends postgresql >/dev/null
  bin="$(pg_bin)"
fi

# postgres refuses to run as root: as root, run it as the postgres user the package created.
if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

dir="$(mktemp -d -t keypairauth-postgres.XXXXXX)"
chmod 755 "$dir"
data="$dir/data"
mkdir -p "$data"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi

# The role's password is random per run; the socket (used only for the setup below) lives in the temp folder.
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    echo "initdb failed:" >&2; tail -n 20 "$dir/initdb.log" >&2; exit 1; }

# Registered before the start so a half-started server is stopped too. The guard makes a stale line (from a run
# that crashed before its trap ran) harmless.
echo "[ -d '$dir' ] && { runuser -u postgres -- '$bin/pg_ctl' -D '$data' -m immediate stop 2>/dev/null || '$bin/pg_ctl' -D '$data' -m immediate stop 2>/dev/null; rm -rf '$dir'; }" >> .test-services/stop

# Durability is pointless for a throwaway database: fsync off keeps the tests fast. Enough connections for test
# classes that run in parallel, each with its own pool.
port=""
for _ in 1 2 3 4 5; do
  candidate="$(free_port)"
  if as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 30 start \
      -o "-p $candidate -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null 2>&1; then
    port="$candidate"
    break
  fi
done
if [ -z "$port" ]; then
  echo "postgres did not start:" >&2
  tail -n 20 "$dir/postgres.log" >&2 || true
  exit 1
fi

psql_admin() { as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 100); do
  if psql_admin -c "select 1" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
psql_admin -c "CREATE ROLE keypairauth LOGIN CREATEDB PASSWORD '$password'" >/dev/null
# Tests drop their throwaway databases WITH (FORCE), which must be allowed to end every session in them, including an
# autovacuum worker that just started on a new database (it belongs to no role the test role could otherwise signal).
psql_admin -c "GRANT pg_signal_backend TO keypairauth" >/dev/null
psql_admin -c "CREATE DATABASE keypairauth OWNER keypairauth" >/dev/null

# Checked over TCP with the password, as the tests will connect.
if ! PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U keypairauth -d keypairauth -qAt -c "select 1" >/dev/null; then
  echo "postgres does not accept the test role on 127.0.0.1:$port" >&2
  exit 1
fi

# Quoted: test.sh sources this file, and ';' would end the assignment.
echo "KEYPAIRAUTH_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=keypairauth;Password=$password;Database=keypairauth'" >> .test-services/env
echo "postgres: 127.0.0.1:$port (data in $dir)"
