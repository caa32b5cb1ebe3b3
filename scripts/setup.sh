#!/usr/bin/env bash
# Set up everything the auditor needs on a Debian machine with Python 3.11. Safe to run again: each step
# checks first and does only what is missing.
#   - system packages through apt (as root, or with sudo): the CJK font for Chinese text, the venv module,
#     the GL/GLib libraries that opencv-python loads, Chromium (the app's browser test), poppler-utils and
#     PostgreSQL (the store's tests on a throwaway server)
#   - a virtual environment in .venv with the pinned packages (requirements.txt) and the project itself
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "setup: Python 3.11 is needed (found: ${PYTHON:-none}); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

apt_packages=()
# The TrueType CJK font: PDF reports embed it (reportlab takes TrueType outlines only), images and OCR use it.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || apt_packages+=(fonts-wqy-microhei)
# Headless Chromium for the app's end-to-end test and screenshots; poppler-utils (pdftotext, pdftoppm) to look
# at PDF reports.
command -v chromium >/dev/null || apt_packages+=(chromium)
command -v pdftotext >/dev/null || apt_packages+=(poppler-utils)
# PostgreSQL 15 server binaries: the tests run the store on a throwaway server as well as on SQLite (Debian
# keeps initdb and pg_ctl in /usr/lib/postgresql/15/bin, off PATH; the package adds the postgres user).
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || apt_packages+=(postgresql)
[ -d "$VENV" ] || "$PYTHON" -c 'import ensurepip' 2>/dev/null || apt_packages+=(python3-venv)
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libGL.so.1 || apt_packages+=(libgl1)
have_lib libglib-2.0.so.0 || apt_packages+=(libglib2.0-0)

if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != none ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${apt_packages[*]} through apt"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  else
    echo "setup: please install ${apt_packages[*]} (no apt or no root here); going on without them" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into $VENV (first time: a few minutes, about 6 GB with torch)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
echo "setup: ready ($VENV)"
