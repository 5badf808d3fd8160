#!/usr/bin/env bash
# Start the action server and then the Rasa server and the chat page (`run`) or the terminal chat (`shell`).
# Ports come from RASA_PORT (default 5005), ACTION_PORT (default 5055) and WEB_PORT (default 8080); all
# bind to localhost unless RASA_HOST / ACTION_HOST / WEB_HOST say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
BIN=${VENV:-.venv}/bin
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_HOST=${RASA_HOST:-127.0.0.1}
WEB_PORT=${WEB_PORT:-8080}
WEB_HOST=${WEB_HOST:-127.0.0.1}
export WEB_PORT WEB_HOST
ACTION_HOST=${ACTION_HOST:-127.0.0.1}
MODEL=${MODEL:-models/neck-assistant.tar.gz}
mkdir -p build reports

# The effective endpoints file: this action server's port, the tracker store (SQLite file var/tracker.db
# unless TRACKER_STORE=postgresql) and the lock store (memory unless LOCK_STORE=redis).
ACTION_HOST="$ACTION_HOST" ACTION_PORT="$ACTION_PORT" "$BIN/python" scripts/make_endpoints.py build/endpoints.yml

# Security defaults (README, "Security"): request bodies up to 1 MB; Rasa's HTTP API only when
# RASA_ENABLE_API=1, and then only with a token (RASA_API_TOKEN).
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1000000}
# Speed (README, "Benchmark"): one TensorFlow thread per Rasa process, which parses one message at a
# time; several processes (SANIC_WORKERS with LOCK_STORE=redis) then do not fight over the cores.
export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
api_args=()
if [ "${RASA_ENABLE_API:-0}" = 1 ]; then
  if [ -z "${RASA_API_TOKEN:-}" ]; then
    echo "RASA_ENABLE_API=1 needs RASA_API_TOKEN (a long random string) to protect the HTTP API." >&2
    exit 1
  fi
  api_args=(--enable-api --auth-token "$RASA_API_TOKEN")
fi

"$BIN/rasa" run actions --actions actions --port "$ACTION_PORT" >reports/action-server.log 2>&1 &
action_pid=$!
trap 'kill $action_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  if "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen('http://${ACTION_HOST}:${ACTION_PORT}/health', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 $action_pid 2>/dev/null || { echo "The action server did not start; see reports/action-server.log" >&2; exit 1; }
  sleep 0.5
done
echo "Action server: http://${ACTION_HOST}:${ACTION_PORT} (log: reports/action-server.log)"

if [ "$mode" = shell ]; then
  "$BIN/python" scripts/run_rasa.py shell --model "$MODEL" --endpoints build/endpoints.yml
  exit
fi

# The credentials: credentials.yml plus the messaging platforms whose environment variables are set.
"$BIN/python" scripts/channels.py --out build/credentials.yml

cat <<MSG
Rasa server:   http://${RASA_HOST}:${RASA_PORT}  (starting: loading the model takes about 30 s)
  REST webhook: curl -s -X POST http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook \\
                  -H 'Content-Type: application/json' -d '{"sender": "me", "message": "what causes neck spasms?"}'
  socket.io:    http://${RASA_HOST}:${RASA_PORT}/socket.io
Press Ctrl+C to stop the servers.
MSG
"$BIN/python" scripts/run_rasa.py run --model "$MODEL" --endpoints build/endpoints.yml --credentials build/credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" "${api_args[@]}" &
rasa_pid=$!
"$BIN/python" scripts/web_server.py --host "$WEB_HOST" --port "$WEB_PORT" >reports/web-server.log 2>&1 &
web_pid=$!
trap 'kill $rasa_pid $action_pid $web_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 240); do
  if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://${RASA_HOST}:${RASA_PORT}/', timeout=1)" 2>/dev/null; then
    echo "Ready: the assistant answers at http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook"
    kill -0 $web_pid 2>/dev/null || { echo "The web server did not start; see reports/web-server.log" >&2; exit 1; }
    echo ""
    echo "  Open the chat page: http://${WEB_HOST}:${WEB_PORT}/"
    echo ""
    break
  fi
  kill -0 $rasa_pid 2>/dev/null || exit 1
  sleep 0.5
done
wait $rasa_pid
