#!/usr/bin/env bash
# Install what CollectDesk needs on a fresh Debian/Ubuntu machine.
#   scripts/install.sh app   the program (Qt's system libraries + the Python package)
#   scripts/install.sh test  also PostgreSQL, ODBC drivers, Xvfb, poppler and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"

qt_libs="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 \
  libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core unixodbc"
test_pkgs="postgresql odbc-postgresql libsqliteodbc unixodbc-dev xvfb xauth poppler-utils"

packages="$qt_libs"
[ "$what" = test ] && packages="$packages $test_pkgs"

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  missing=""
  for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

extra=""
[ "$what" = test ] && extra="[test]"
python3 -m pip install --quiet --disable-pip-version-check -e ".${extra}"
[ "$what" = test ] && python3 -m pip install --quiet --disable-pip-version-check hatchling
echo "CollectDesk installed ($what)."
