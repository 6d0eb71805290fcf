#!/bin/bash
# Restart a running HAProxy onto its unit's new command line or environment (the drop-in, the env file) with no
# moment in which :80, :443 or :6443 refuse a connection. systemd stops the old master before it starts the new one,
# and a reload cannot switch: the master re-executes with the command line and environment it started with. So a
# bridge HAProxy on the new configuration binds the same ports first (HAProxy sets SO_REUSEPORT), the old one pauses
# its listeners (SIGTTOU: the kernel hands new connections to the bridge only), the unit restarts, and the bridge
# pauses and finishes its connections (SIGUSR1). Nothing happens while the unit does not read the drop-in yet, or
# while HAProxy is stopped (a fresh node: the enable step starts it).
# Args: CONFIG (file or directory the drop-in runs), ENV_FILE (its secrets), DROP_IN, PIDFILE (the unit's -p).
set -euo pipefail
config=$1 env_file=$2 drop_in=$3 pidfile=$4
bridge=/run/haproxy-bridge.pid
systemctl daemon-reload
if [ ! -e "$drop_in" ] || ! systemctl is-active --quiet haproxy; then
  exit 0
fi
old=$(cat "$pidfile" 2>/dev/null || true)
# The bridge returns once its listeners are bound (daemon mode forks after binding).
# shellcheck source=/dev/null
(set -a; . "$env_file"; set +a; exec haproxy -D -f "$config" -p "$bridge")
if [ -n "$old" ]; then
  kill -TTOU "$old" 2>/dev/null || true
  sleep 0.5  # the old workers accept what is already queued on their sockets
fi
systemctl restart haproxy
# Until the new master runs and its workers have bound (systemd's restart waits for READY=1; this bounds the rest).
for _ in $(seq 100); do
  new=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null && systemctl is-active --quiet haproxy; then
    break
  fi
  sleep 0.1
done
sleep 1
pid=$(cat "$bridge")
kill -TTOU "$pid"
sleep 0.5
kill -USR1 "$pid"
for _ in $(seq 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
rm -f "$bridge"
echo "restarted haproxy onto $config (a bridge held its ports)"
