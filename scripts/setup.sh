#!/usr/bin/env bash
# npm run setup: installs what the notebooks, tests, render and benchmark need on Debian/Ubuntu.
# Idempotent: every step checks first and says what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, grouped by what needs them.
JUPYTER=(jupyter-nbconvert jupyter-client python3-jupyter-client python3-nbclient python3-nbformat jupyter-notebook python3-ipykernel python3-ipython)
NATIVE=(g++ make)
DATA=(dataset-fashion-mnist)
RENDER=(pandoc chromium poppler-utils fonts-dejavu)
# OpenBLAS for the peer's numpy (its first choice for libblas.so.3 would be the slow reference BLAS).
BENCH=(python3-torch python3-numpy libopenblas0-pthread)
PACKAGES=("${JUPYTER[@]}" "${NATIVE[@]}" "${DATA[@]}" "${RENDER[@]}" "${BENCH[@]}")

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  say "system packages: all ${#PACKAGES[@]} present"
elif ! command -v apt-get >/dev/null; then
  say "this is not a Debian/Ubuntu system (no apt-get). Install the equivalents of:"
  printf '  %s\n' "${missing[@]}"
  say "then run npm run setup again."
  exit 1
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      say "missing system packages and no root: run this, then npm run setup again:"
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
      exit 1
    fi
  fi
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages installed"
fi

# npm ci only when node_modules does not match package-lock.json.
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  say "node_modules matches package-lock.json (run npm ci to reinstall)"
else
  say "npm ci (tfjs-node and tfjs-node-gpu are optional: their install needs to download libtensorflow and may be skipped)"
  npm ci --no-audit --no-fund
fi

say "building the native engine"
node_modules/.bin/tsx scripts/build-native.ts ${VAE_GAN_SETUP_STRICT:+--strict}

say "registering the Jupyter kernel"
node_modules/.bin/tsx scripts/install-kernel.ts

say "done. Next: npm test, npm run render"
