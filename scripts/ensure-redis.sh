#!/usr/bin/env bash
# Tests start their own redis-server on a free loopback port; install Debian's package when
# the binary is missing. Never starts a system service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-sentinel >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "redis-server is missing: install Debian's redis-server package (needs root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq redis-server redis-sentinel >/dev/null
command -v redis-server
