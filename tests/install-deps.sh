#!/bin/sh
# Install the Debian packages the build, the QEMU harness and the tools need.
# Runs "apt-get update" once, and only when something is missing.
set -eu

pkgs="build-essential bc bison flex libelf-dev libssl-dev cpio kmod xz-utils
      linux-source-6.12 qemu-system-x86 busybox-static libkmod-dev liburing-dev pkg-config
      e2fsprogs linux-headers-amd64 gcc-multilib xfsprogs iproute2 ethtool"
# The server tests: curl and wrk in the guest, and the libraries of the nginx
# tests/nginx.sh unpacks.
pkgs="$pkgs curl wrk libcrypt1 libpcre2-8-0 libssl3 zlib1g"
# make deb, and the Debian root tests/deb-chroot.sh installs the packages in.
pkgs="$pkgs debhelper dh-dkms dpkg-dev lintian debootstrap"
pkgs="$pkgs ${ZCOPY_EXTRA_PKGS:-}"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null
