#!/usr/bin/env bash
# Installs Debian's `chromium` package for the playground's browser test (tests/browser), only when it is missing.
# Playwright drives it through executable_path=/usr/bin/chromium; nothing ever downloads a browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "chromium is missing and this user cannot install packages: run 'apt-get install -y chromium' as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and apt-get is not available: install Chromium at /usr/bin/chromium yourself" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium
/usr/bin/chromium --version 2>/dev/null | head -n1 || true
