#!/usr/bin/env bash
# Install the Debian packages smartdoc needs, only those missing; fast when nothing is.
#
#   scripts/install-system-deps.sh site   # WeasyPrint's libraries: Pango, HarfBuzz, fonts
#   scripts/install-system-deps.sh test   # the above + Chromium, poppler-utils, qpdf, Java, npm
#
# Uses sudo only when not root. Without apt-get (not Debian), prints what to install and exits 0,
# so a machine that has the libraries some other way is not blocked.
set -euo pipefail

profile="${1:-site}"

site_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
test_packages=(chromium poppler-utils qpdf)

case "$profile" in
  site) wanted=("${site_packages[@]}") ;;
  test) wanted=("${site_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 site|test" >&2; exit 2 ;;
esac

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

java_major() {
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15 (on stderr)
  java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "${wanted[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
else
  missing=("${wanted[@]}")
fi

if [[ "$profile" == test ]]; then
  # The Nu HTML Checker needs Java >= 17; any JRE that provides it will do.
  if ! command -v java >/dev/null 2>&1 || (( $(java_major || echo 0) < 17 )); then
    missing+=(default-jre-headless)
  fi
  if ! command -v npm >/dev/null 2>&1; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    missing+=(npm)
  fi
fi

if (( ${#missing[@]} == 0 )); then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: no apt-get here; please install the equivalents of:" >&2
  echo "  ${missing[*]}" >&2
  exit 0
fi

sudo=()
if (( EUID != 0 )); then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-system-deps: not root and no sudo; please install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
