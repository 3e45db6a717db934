#!/usr/bin/env bash
# Installs the Debian packages meetingsec needs (fonts for Vietnamese PDFs, pango for
# WeasyPrint, chromium for browser tests, PostgreSQL, Redis for the test of several app
# instances, gettext tools; debootstrap and iproute2 for `make release` and
# `make test-release`). Idempotent: does nothing when every package is already there.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
          poppler-utils chromium postgresql redis-server debootstrap iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
