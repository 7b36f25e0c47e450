#!/usr/bin/env bash
# Installs the Debian packages the tests need, only when missing. Safe to run repeatedly.
# openssl: test certificates for real TLS handshakes.
set -euo pipefail
missing=()
command -v openssl >/dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
