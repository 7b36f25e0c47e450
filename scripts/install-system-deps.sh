#!/usr/bin/env bash
# Installs the Debian packages the tests need, only when missing. Safe to run repeatedly.
# openssl: test certificates for real TLS handshakes.
# prometheus (+ promtool): the real metrics server the gate tests and the bench query.
# haproxy: the real load balancer of the HAProxy router tests and the end-to-end scene.
#
# The tests run these binaries as their own processes on free loopback ports. Debian's
# packages would start and enable system services on their default ports at install, so
# services are kept from starting (policy-rc.d) and the units the install enabled are
# disabled again: the machine is left as it was found, with nothing listening.
set -euo pipefail
missing=()
command -v openssl >/dev/null || missing+=(openssl)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
# Debian installs it in /usr/sbin, which a non-root PATH may lack.
{ command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; } || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  # Exit status 101 = "action forbidden by policy": invoke-rc.d starts nothing.
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
units=(prometheus.service prometheus-node-exporter.service haproxy.service)
enabled_before=()
if command -v systemctl >/dev/null; then
  for unit in "${units[@]}"; do
    [ "$(systemctl is-enabled "$unit" 2>/dev/null || true)" = enabled ] && enabled_before+=("$unit")
  done
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# systemctl edits the unit symlinks offline too (no running systemd needed).
if command -v systemctl >/dev/null; then
  for unit in "${units[@]}"; do
    [[ " ${enabled_before[*]:-} " == *" $unit "* ]] && continue
    if [ "$(systemctl is-enabled "$unit" 2>/dev/null || true)" = enabled ]; then
      $sudo systemctl disable --quiet "$unit" 2>/dev/null || true
      echo "Disabled $unit (enabled by the package install; the tests run their own processes)"
    fi
  done
fi
