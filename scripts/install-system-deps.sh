#!/usr/bin/env bash
# Installs the Debian packages the tests need, only when missing. Safe to run repeatedly.
# openssl: test certificates for real TLS handshakes.
# prometheus (+ promtool): the real metrics server the gate tests and the bench query.
set -euo pipefail
missing=()
command -v openssl >/dev/null || missing+=(openssl)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
