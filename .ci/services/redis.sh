#!/usr/bin/env bash
# Throwaway Redis for the tests (see docs/deployment.md and the test-services convention in test.sh): installs
# redis-server with apt-get when missing (as root), runs it on a free 127.0.0.1 port without persistence, data in a
# fresh temp folder, and exports to .test-services/env:
#   KEYPAIRAUTH_TEST_REDIS          a StackExchange.Redis configuration string (127.0.0.1:PORT)
#   KEYPAIRAUTH_TEST_REDIS_PORT     the port
#   KEYPAIRAUTH_TEST_REDIS_SERVER   the redis-server binary (tests start private servers with it)
#   KEYPAIRAUTH_TEST_REDIS_CONTROL  a script taking stop|start for this server
# and appends its stop command to .test-services/stop.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .test-services

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "redis-server is missing and this is not root: install redis-server (Debian: apt-get install redis-server)" >&2
    exit 1
  fi
  # One apt-get update per test run, shared with the other service scripts that use the same marker; a stale marker
  # (package lists gone old) is caught by retrying the install after a fresh update.
  if [ ! -e .test-services/apt-updated ]; then
    apt-get update -qq
    touch .test-services/apt-updated
  fi
  # The package's own service is not used (no init system in CI anyway): the server below is started by hand.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
fi
server="$(command -v redis-server)"
cli="$(command -v redis-cli)"

# A port nothing listens on: the kernel's pick when python3 is there, else a random one; either way checked by
# trying to connect to it.
free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

dir="$(mktemp -d -t keypairauth-redis.XXXXXX)"
port=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  candidate="$(free_port)"
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port="$candidate"; break; fi
done
[ -n "$port" ] || { echo "no free port for redis" >&2; exit 1; }

control="$dir/control.sh"
cat > "$control" <<SH
#!/usr/bin/env bash
# stop|start the test Redis on 127.0.0.1:$port (no persistence; data dir $dir).
set -euo pipefail
case "\${1:-}" in
  start)
    "$server" --port $port --bind 127.0.0.1 --save '' --appendonly no --protected-mode yes \\
      --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in \$(seq 1 100); do
      if "$cli" -h 127.0.0.1 -p $port ping 2>/dev/null | grep -q PONG; then exit 0; fi
      sleep 0.1
    done
    echo "redis did not answer on 127.0.0.1:$port within 10 s" >&2; tail -n 20 "$dir/redis.log" >&2 || true; exit 1 ;;
  stop)
    pid="\$(cat "$dir/redis.pid" 2>/dev/null || true)"
    if [ -n "\$pid" ] && grep -q redis-server "/proc/\$pid/cmdline" 2>/dev/null; then
      kill "\$pid" 2>/dev/null || true
      for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "\$pid" 2>/dev/null || true
    fi
    rm -f "$dir/redis.pid" ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
SH
chmod +x "$control"

bash "$control" start
# The stop file may outlive this run (a crashed run): the guard makes a stale line harmless.
echo "[ -d '$dir' ] && { bash '$control' stop; rm -rf '$dir'; }" >> .test-services/stop
{
  echo "KEYPAIRAUTH_TEST_REDIS=127.0.0.1:$port"
  echo "KEYPAIRAUTH_TEST_REDIS_PORT=$port"
  echo "KEYPAIRAUTH_TEST_REDIS_SERVER=$server"
  echo "KEYPAIRAUTH_TEST_REDIS_CONTROL=$control"
} >> .test-services/env
echo "redis $("$server" --version | awk '{print $3}') on 127.0.0.1:$port"
