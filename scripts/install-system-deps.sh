#!/usr/bin/env bash
# Install the Debian packages smartdoc needs, only those missing; fast when nothing is.
#
#   scripts/install-system-deps.sh site   # WeasyPrint's libraries: Pango, HarfBuzz, fonts
#   scripts/install-system-deps.sh test   # the above + Chromium, poppler-utils, qpdf, Java, npm
#
# Also checks that $PYTHON (default python3) can make the virtualenv `make` creates
# (`python -m venv` needs ensurepip, which Debian ships apart, in python3.X-venv).
#
# Uses sudo only when not root. Without apt-get (not Debian), prints what to install and exits 0,
# so a machine that has the libraries some other way is not blocked.
#
# When apt is busy (unattended-upgrades on a fresh machine, another apt-get), waits for its
# locks instead of failing: up to APT_LOCK_TIMEOUT seconds (default 300), checking again every
# APT_LOCK_RETRY_SECONDS (default 5). apt-get's own `DPkg::Lock::Timeout` covers dpkg's lock;
# the loop covers the others (`apt-get update` does not wait for the package lists' lock).
set -euo pipefail

profile="${1:-site}"
python="${PYTHON:-python3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_timeout="${APT_LOCK_TIMEOUT:-300}"
lock_retry="${APT_LOCK_RETRY_SECONDS:-5}"

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

# The package that gives $python its ensurepip, or nothing when it is there (or not Debian's).
venv_package() {
  [[ -x "$root/.venv/bin/python" ]] && return 0  # the virtualenv exists already
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "python3-venv"  # pulls python3 in
    return 0
  fi
  "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
  local prefix version
  prefix="$("$python" -c 'import sys; print(sys.base_prefix)' 2>/dev/null || true)"
  if [[ "$prefix" != /usr ]]; then
    echo "install-system-deps: $python ($prefix) has no ensurepip, so 'python -m venv' fails;" \
      "install a Python with venv support, or set PYTHON=/path/to/python" >&2
    return 0
  fi
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if apt-cache show "python${version}-venv" >/dev/null 2>&1; then
    echo "python${version}-venv"
  else
    echo "python3-venv"
  fi
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "${wanted[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
else
  missing=("${wanted[@]}")
fi

venv="$(venv_package)"
if [[ -n "$venv" ]]; then missing+=("$venv"); fi

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

# Run apt-get, waiting while another apt holds one of its locks; other failures end at once.
apt_get() {
  local waited=0 output
  while true; do
    if output="$("${sudo[@]}" apt-get -o "DPkg::Lock::Timeout=$lock_timeout" "$@" 2>&1 </dev/null)"; then
      [[ -z "$output" ]] || printf '%s\n' "$output"
      return 0
    fi
    if [[ "$output" != *"Could not get lock"* && "$output" != *"Unable to acquire"* ]] \
      || (( waited >= lock_timeout )); then
      printf '%s\n' "$output" >&2
      return 1
    fi
    if (( waited == 0 )); then
      echo "install-system-deps: apt is busy (another apt-get, or unattended-upgrades);" \
        "waiting up to ${lock_timeout}s for its lock" >&2
    fi
    sleep "$lock_retry"
    waited=$((waited + lock_retry))
  done
}

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}"
