#!/bin/sh
# Install what kindly needs on Debian (run as root). Only missing packages are installed, so
# a second run costs a second. `--bench` adds what `make bench` compares against.
#
# Usage: tools/install-deps.sh [--bench]
set -eu
case ${1-} in
    ""|--bench) ;;
    -h|--help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument '$1' (expected --bench or none; see --help)" >&2; exit 2 ;;
esac
pkgs="build-essential pkg-config libpcre2-dev libsqlite3-dev libcsv-dev libcriterion-dev
      libutf8proc-dev libmicrohttpd-dev libjansson-dev python3 curl sqlite3 nodejs"
# for tests that are skipped or cut short without them: clang checks kindly.h's Doxygen
# (-Wdocumentation, t_lib), groff and man read the installed kindly(1) (t_server), strace
# kills an upgrade at each of its writes (t_upgrade)
pkgs="$pkgs clang groff-base man-db strace"
# npm installs the akismet-api client for the server's end-to-end test; NodeSource's nodejs
# package already carries npm (and conflicts with Debian's npm package)
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs bogofilter-sqlite wrk hyperfine valgrind"
# one dpkg-query for all of them (one a package read the status database 13 times: 3.4 s)
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null | awk '/ ok installed$/ { printf "%s ", $1 }')"
missing=""
for p in $pkgs; do
    case $installed in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages:$missing (run this script as root)" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
