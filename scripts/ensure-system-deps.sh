#!/usr/bin/env bash
# Make sure the system programs tensorkit needs are present (called by `make setup`):
#   - Graphviz's `dot`: lays out the graphs the widgets draw. Required.
#   - Debian's Chromium at /usr/bin/chromium: drives the real-browser tests. Optional:
#     without it those tests skip, saying why.
# As root with apt-get, missing ones are installed (one `apt-get update` for all);
# otherwise this prints how to install them. Fast when everything is there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

have_dot() { command -v dot >/dev/null 2>&1; }
have_chromium() { [ -x "$CHROMIUM" ]; }

packages=()
have_dot || packages+=(graphviz)
have_chromium || packages+=(chromium)
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    # A font, so Graphviz can measure labels and Chromium can draw text in screenshots.
    packages+=(fonts-dejavu-core)
    echo "Installing system packages with apt-get: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

status=0
if ! have_dot; then
    echo "Graphviz's \`dot\` is missing: install it with \`sudo apt-get install graphviz\`" \
         "(Debian/Ubuntu), \`brew install graphviz\` (macOS) or" \
         "\`conda install -c conda-forge graphviz\`." >&2
    status=1
fi
if ! have_chromium; then
    echo "Chromium is missing at $CHROMIUM, so the real-browser tests will be skipped:" \
         "install it with \`sudo apt-get install chromium\` (Debian)." >&2
fi
exit "$status"
