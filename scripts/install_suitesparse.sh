#!/usr/bin/env bash
# Debian's SuiteSparse headers and libraries, which the optional CHOLMOD backend builds against
# (scikit-sparse 0.4.16, extra `cholmod`: pip install 'linepack[cholmod]'); does nothing when already installed.
set -euo pipefail
if dpkg -s libsuitesparse-dev >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing libsuitesparse-dev (Debian package, for the CHOLMOD backend)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libsuitesparse-dev >/dev/null
