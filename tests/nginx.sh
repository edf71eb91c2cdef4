#!/bin/sh
# The nginx the server tests run (tests/qemu/guest-server.sh): Debian's own
# package, unpacked into the cache and never installed, so the host gets no
# nginx service and no /etc/nginx.  Its libraries are tests/install-deps.sh's.
# Prints the path of the nginx binary.  Keyed on the package's version: a
# security update brings the new one.
set -eu

cache=${ZCOPY_CACHE:-$HOME/.cache/zcopy}
version=$(apt-cache policy nginx | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	apt-get update -qq
	version=$(apt-cache policy nginx | sed -n 's/^ *Candidate: //p')
fi
dir=$cache/nginx-$version
if [ ! -x "$dir/usr/sbin/nginx" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# _apt downloads into a directory it can write.
	chmod 777 "$tmp"
	(cd "$tmp" && apt-get download -qq "nginx=$version") >&2
	rm -rf "$dir.new"
	dpkg-deb -x "$tmp"/nginx_*.deb "$dir.new"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
fi
"$dir/usr/sbin/nginx" -v >&2
echo "$dir/usr/sbin/nginx"
