#!/usr/bin/env bash
# Installs tshark (the reference decoder of the differential tests; brings dumpcap) and tcpdump
# (the second live-capture tool of `sluice capture`, and the reference count of its tests) from
# Debian when one of them is missing.
# Never prompts: the wireshark-common setuid question is preseeded to "no".
set -u
if command -v tshark >/dev/null 2>&1 && command -v tcpdump >/dev/null 2>&1; then exit 0; fi
echo "ensure-tshark: tshark or tcpdump not found, installing them from Debian's packages…" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends tshark tcpdump; } >/tmp/sluice-apt-tshark.log 2>&1; then
  echo "ensure-tshark: COULD NOT INSTALL tshark/tcpdump (see /tmp/sluice-apt-tshark.log); the tshark differential and live-capture suites will be skipped" >&2
  exit 1
fi
command -v tshark >/dev/null 2>&1 && command -v tcpdump >/dev/null 2>&1
