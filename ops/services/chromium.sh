#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver, for the browser tests (coordinator pages, the JS client
# in a browser). Only installs: the tests start chromedriver themselves on a port of their own.
#
#   source ops/services/chromium.sh; chromium_start   # exports CHROMIUM, CHROMEDRIVER
#   bash ops/services/chromium.sh start|ensure
#
# The machine cannot download browser builds (Selenium Manager, Playwright's installers,
# puppeteer's Chrome): only Debian's packages work. Tests should start Chromium with
#   --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
#   --disable-background-networking --disable-component-update --disable-sync
# and a fresh --user-data-dir: as root the sandbox cannot run, and without the networking
# flags Chromium keeps trying to reach Google's hosts, which this network refuses.

# shellcheck source=ops/services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

chromium_ensure() {
  local missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
  ((${#missing[@]} == 0)) && return 0
  casesync_apt_install "${missing[@]}"
}

chromium_start() {
  chromium_ensure || return 1
  local v dv
  # Both must run, and their major versions must match or chromedriver refuses the browser.
  # Only stdout: Debian's /usr/bin/chromium wrapper may print shell noise on stderr.
  if ! v="$(/usr/bin/chromium --version 2>/dev/null | grep -oE 'Chromium [0-9.]+')"; then
    casesync_err "chromium does not run: $(/usr/bin/chromium --version 2>&1 | tail -n 3)"
    return 1
  fi
  if ! dv="$(/usr/bin/chromedriver --version 2>/dev/null | grep -oE 'ChromeDriver [0-9.]+')"; then
    casesync_err "chromedriver does not run: $(/usr/bin/chromedriver --version 2>&1 | tail -n 3)"
    return 1
  fi
  if [[ "$(cut -d' ' -f2 <<<"$v" | cut -d. -f1)" != "$(cut -d' ' -f2 <<<"$dv" | cut -d. -f1)" ]]; then
    casesync_err "$v and $dv differ in major version; apt-get install chromium chromium-driver"
    return 1
  fi
  export CHROMIUM=/usr/bin/chromium
  export CHROMEDRIVER=/usr/bin/chromedriver
  casesync_log "$v, $dv"
}

chromium_print_env() {
  printf 'export CHROMIUM=%q\n' "$CHROMIUM"
  printf 'export CHROMEDRIVER=%q\n' "$CHROMEDRIVER"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  casesync_service_main chromium "$@"
fi
