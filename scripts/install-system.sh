#!/usr/bin/env bash
# Installs the system parts lpc needs on Debian: the lavapipe Vulkan driver (Mesa) from the
# backports suite, so that Dawn (the `webgpu` npm package) finds a WebGPU adapter on a CPU-only
# machine, plus Chromium for browser tests and the Fashion-MNIST data package.
#
# Idempotent: every step checks first and says what it does. The backports entry is derived from
# the machine's own Debian source entry (same URIs and keyring), so no host name is written here.
# Set LPC_SKIP_SYSTEM=1 to skip entirely (e.g. on a machine you manage yourself).
set -euo pipefail

say() { printf '[install-system] %s\n' "$*"; }

if [ "${LPC_SKIP_SYSTEM:-0}" = "1" ]; then say "LPC_SKIP_SYSTEM=1: skipping"; exit 0; fi
if [ ! -r /etc/os-release ]; then say "not a Debian-like system: skipping system packages"; exit 0; fi
. /etc/os-release
codename="${VERSION_CODENAME:-}"
if [ "${ID:-}" != "debian" ] || [ -z "$codename" ]; then
  say "this script knows Debian only (found ${ID:-unknown}); install Mesa's lavapipe Vulkan driver (>= 24) and chromium yourself"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else say "not root and no sudo: cannot install system packages"; exit 1; fi
fi

backports="${codename}-backports"
target=/etc/apt/sources.list.d/lpc-backports.sources

# Find the machine's main Debian entry: a deb822 stanza or a one-line entry whose suite is the
# release codename itself (not -security / -updates). Prints "URI<TAB>KEYRING".
find_debian_source() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    [ "$f" = "$target" ] && continue
    awk -v cn="$codename" '
      BEGIN { RS=""; FS="\n" }
      {
        uris=""; suites=""; key=""; types=""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (line ~ /^Types:/)     { sub(/^Types:[ \t]*/, "", line); types = line }
          if (line ~ /^URIs:/)      { sub(/^URIs:[ \t]*/, "", line); uris = line }
          if (line ~ /^Suites:/)    { sub(/^Suites:[ \t]*/, "", line); suites = " " line " " }
          if (line ~ /^Signed-By:/) { sub(/^Signed-By:[ \t]*/, "", line); key = line }
        }
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && index(suites, " " cn " ") > 0 && uris != "") {
          split(uris, u, /[ \t]+/); print u[1] "\t" key; exit
        }
      }' "$f" && return 0
  done
  local list
  for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$list" ] || continue
    # deb [signed-by=KEY] URI SUITE COMPONENTS
    awk -v cn="$codename" '
      $1 == "deb" {
        key = ""; i = 2
        if ($2 ~ /^\[/) {
          while (i <= NF) { if ($i ~ /signed-by=/) { k = $i; sub(/.*signed-by=/, "", k); sub(/\]$/, "", k); key = k }
                            if ($i ~ /\]$/) { i++; break } i++ }
        }
        if ($(i+1) == cn) { print $i "\t" key; exit }
      }' "$list"
  done
}

have_backports_entry() {
  grep -rqs -- "${backports}" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

apt_updated=0
apt_update() { if [ $apt_updated = 0 ]; then say "apt-get update"; $SUDO apt-get update -qq; apt_updated=1; fi; }

if have_backports_entry; then
  say "backports suite ${backports} already configured"
else
  entry="$(find_debian_source | head -n 1)"
  if [ -z "$entry" ]; then
    say "could not find the machine's Debian source entry for ${codename}; add ${backports} by hand"
    exit 1
  fi
  uri="${entry%%$'\t'*}"; key="${entry#*$'\t'}"
  say "adding ${backports} (derived from the machine's ${codename} entry) to ${target}"
  {
    echo "# Added by lpc scripts/install-system.sh: the backports suite of this machine's Debian source."
    echo "Types: deb"
    echo "URIs: ${uri}"
    echo "Suites: ${backports}"
    echo "Components: main"
    [ -n "$key" ] && echo "Signed-By: ${key}"
  } | $SUDO tee "$target" >/dev/null
fi

# Mesa's lavapipe must be new enough for Dawn (25.x from backports works; 22.x from the main suite does not).
mesa_major() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^[0-9]+://; s/\..*//'; }
major="$(mesa_major || true)"
if [ -n "$major" ] && [ "$major" -ge 24 ] 2>/dev/null; then
  say "mesa-vulkan-drivers ${major}.x already installed"
else
  apt_update
  say "installing mesa-vulkan-drivers from ${backports}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t "${backports}" mesa-vulkan-drivers libvulkan1 >/dev/null
  say "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) installed"
fi

want=()
for pkg in chromium fonts-dejavu-core dataset-fashion-mnist; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    say "$pkg already installed"
  else
    want+=("$pkg")
  fi
done
if [ ${#want[@]} -gt 0 ]; then
  apt_update
  say "installing ${want[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${want[@]}" >/dev/null
fi
say "done"
