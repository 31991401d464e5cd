#!/usr/bin/env bash
# Set up companion on Debian 12 (as root, or as a user with sudo):
#   bash scripts/setup.sh          system packages, a virtual environment in .venv, the package
#   bash scripts/setup.sh --test   the same plus the test tools, then the full test suite
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  ""|--test) ;;
  *) echo "usage: bash scripts/setup.sh [--test]" >&2; exit 2 ;;
esac

say() { printf 'setup: %s\n' "$*"; }

# System packages: Python with venv; espeak-ng, the offline voice pyttsx3 speaks with;
# PortAudio and ALSA's pulse plugin, through which sounddevice reaches the sound server.
packages=(python3 python3-venv espeak-ng libportaudio2 libasound2-plugins)
# The tests also run a private PulseAudio server with null sinks (no sound card needed).
[ "$mode" = --test ] && packages+=(pulseaudio pulseaudio-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    say "need root or sudo to install: ${missing[*]}"; exit 1
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Python 3.11 or newer: the first python3 on PATH if it is new enough, else Debian's own.
python=python3
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  python=/usr/bin/python3
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
extra=""
[ "$mode" = --test ] && extra="[test]"
say "installing companion${extra} into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra}"

if [ "$mode" = --test ]; then
  say "ruff"
  .venv/bin/ruff check companion tests scripts
  say "mypy"
  .venv/bin/mypy
  say "pytest"
  .venv/bin/python -m pytest
fi
