#!/usr/bin/env bash
# Loads `liaisonbot serve` with signed webhook deliveries from wrk on
# loopback and prints wrk's figures and the server's peak RSS.
# Needs: wrk and /usr/bin/time (Debian: apt-get install wrk time), openssl,
# and ../shared/realworld/webhooks/issue_comment.created.json beside the
# project. GitHub and the datatracker point at a closed loopback port, so
# nothing leaves the machine; the poller and the handlers back off as in a
# GitHub outage. Usage: bench/load/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-20}"
dir=$(mktemp -d)
trap 'pkill -TERM -x liaisonbot 2>/dev/null || true; rm -rf "$dir"' EXIT
payload=../shared/realworld/webhooks/issue_comment.created.json
# The release build: static, no cgo (the SQLite driver is pure Go), so no
# C library is mapped into the process.
CGO_ENABLED=0 go build -trimpath -o "$dir/liaisonbot" ./cmd/liaisonbot
openssl genrsa -out "$dir/app.pem" 2048 2>/dev/null
cat > "$dir/config.yml" <<YAML
server:
  address: 127.0.0.1:18080
github:
  v3_api_url: http://127.0.0.1:1/
  app:
    integration_id: 1
    webhook_secret: load-secret
github_app:
  private_key_file: $dir/app.pem
datatracker:
  url: http://127.0.0.1:1
store:
  dsn: sqlite:$dir/lb.db
logging:
  level: error
YAML
sig="sha256=$(openssl dgst -sha256 -hmac load-secret -hex < "$payload" | sed 's/^.*= //')"
cat > "$dir/hook.lua" <<LUA
local f = io.open("$payload", "rb")
local body = f:read("*a")
f:close()
local counter, thread_id = 0, 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/github/hook", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issue_comment",
    ["X-GitHub-Delivery"] = string.format("load-%d-%d", tid, counter),
    ["X-Hub-Signature-256"] = "$sig",
  }, body)
end
LUA
# A first start migrates the new store; the measured one is a restart.
"$dir/liaisonbot" serve --config "$dir/config.yml" 2>/dev/null & sleep 1.5; pkill -TERM -x liaisonbot; sleep 1
/usr/bin/time -v "$dir/liaisonbot" serve --config "$dir/config.yml" 2> "$dir/time.txt" &
sleep 1.5
wrk -t2 -c32 -d"${secs}s" -s "$dir/hook.lua" --latency http://127.0.0.1:18080
pkill -TERM -x liaisonbot; sleep 3
grep -E "Maximum resident set size" "$dir/time.txt"
