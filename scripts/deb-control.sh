#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Writes DEBIAN/control for `make deb`: deb-control.sh VERSION ARCH ROOT
set -eu
version=$1 arch=$2 root=$3
mkdir -p "$root/DEBIAN"
size=$(du -sk "$root/usr" | cut -f1)
cat > "$root/DEBIAN/control" <<CTL
Package: lifeline
Version: $version
Architecture: $arch
Maintainer: lifeline developers <lifeline@localhost>
Installed-Size: $size
Depends: libc6, libbpf1, libelf1, zlib1g, libmicrohttpd12
Section: admin
Priority: optional
Description: live eBPF tracer of process lifecycles, accept queues and event loops
 Shows, as they happen, forks, execs and exits, how long each exited child lies as a
 zombie and why, orphans and their adopters, accept queue waits and epoll event loop
 stalls, with findings that say what to change. Tracepoints only, libbpf CO-RE.
CTL
