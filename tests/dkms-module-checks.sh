# shellcheck shell=bash
# Sourced by check-dkms.sh and deb-chroot.sh: what DKMS built for one
# kernel, however it was installed (make dkms-install on the host, or the
# zcopy-dkms package in a Debian root), checked the same way.

# dkms_module_checks NAME-PREFIX KVER MAKE-LOG MODULE VERSION: result()
# lines (the caller's) that the build printed no warning, and that the
# module is there, for KVER, of VERSION and signed (by DKMS's MOK key).
dkms_module_checks() {
	local prefix=$1 k=$2 mklog=$3 ko=$4 version=$5 warn v
	warn=$(grep -iE 'warning|error' "$mklog" 2>/dev/null)
	[ -s "$mklog" ] && [ -z "$warn" ]
	result "${prefix}no-compiler-warnings-$k" $? "${warn:-no make.log}"
	[ -n "$ko" ] && [ -f "$ko" ]
	result "${prefix}module-built-$k" $? "no zcopy.ko for $k"
	[ -n "$ko" ] || return 1
	v=$(modinfo -F vermagic "$ko" 2>/dev/null)
	[ "${v%% *}" = "$k" ]
	result "${prefix}vermagic-$k" $? "vermagic '$v'"
	v=$(modinfo -F version "$ko" 2>/dev/null)
	[ "$v" = "$version" ]
	result "${prefix}module-version-$k" $? "version '$v', want $version"
	v=$(modinfo -F signer "$ko" 2>/dev/null)
	[ -n "$v" ]
	result "${prefix}signed-$k" $? "no signature (DKMS's MOK key: /var/lib/dkms/mok.pub)"
}
