# SPDX-License-Identifier: GPL-2.0
# zcopy: a thin wrapper over Kbuild, the userspace tools and the QEMU harness.
#
#   make module [KDIR=...]   build module/zcopy.ko (default: the running kernel)
#   make userspace           build zcopyctl, libzcopy (libzcopy.a, libzcopy.so)
#                            and the sendfile interposer libzcopy-sendfile.so
#   make examples            build examples/ against the tree's libzcopy
#   make check               build, boot the debug test kernel, run every test
#   make check-dkms          DKMS-build for Debian's stock 6.1 and 6.12 kernels
#                            and run the guest tests on those kernels in QEMU
#   make style               checkpatch, sparse, man page rendering, codespell
#   make demo                boot the test kernel and show zero copy in numbers
#   make bench               measure every send path in the bench kernel
#                            (table; build/bench.json and build/bench.svg)
#   make install             module, zcopyctl, libzcopy, libzcopy-sendfile.so,
#                            headers, udev rule, man, bash completion
#   make uninstall           (DESTDIR=, PREFIX=/usr/local, KVER=`uname -r`,
#                            LIBDIR=$(PREFIX)/lib: libzcopy and zcopy.pc)
#   make dkms-install        register with DKMS: rebuilt for every new kernel
#   make dkms-uninstall
#   make deb                 Debian packages (zcopy-dkms, zcopy-tools,
#                            libzcopy-dev) in build/deb, checked by lintian
#   make clean

# The kernel to build for and install into; KDIR is its build tree.
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# make check builds with -Werror; users' compilers may warn about new things.
ZCOPY_WERROR ?=

PREFIX ?= /usr/local
DESTDIR ?=
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZCOPY_VERSION := $(shell sed -n 's/^\#define ZCOPY_VERSION[[:space:]]*"\(.*\)"/\1/p' module/zcopy.h)
DKMS ?= dkms
DKMS_SRC ?= /usr/src/zcopy-$(ZCOPY_VERSION)
# What DKMS gets: what building the module needs, nothing of the tests.
DKMS_FILES := dkms.conf module uapi

.PHONY: all module modules-all userspace examples guest-progs check check-dkms style \
	demo bench clean install install-module install-userspace install-data \
	uninstall dkms-source dkms-install dkms-uninstall need-cc need-root \
	need-kdir need-libs need-dkms deb deb

all: module userspace

module modules-all: need-cc need-kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) ZCOPY_WERROR=$(ZCOPY_WERROR) modules

userspace: need-cc need-libs
	$(MAKE) -C userspace

# ---- prerequisites: say what to install, before anything is built or copied --
need-cc:
	@command -v $(CC) >/dev/null || { echo "zcopy: no C compiler" \
		"($(CC)): sudo apt-get install build-essential" >&2; exit 1; }

# What writes to the system's directories needs root; DESTDIR stages as
# anyone.
need-root:
	@test -n "$(DESTDIR)" || test "$$(id -u)" = 0 || { echo "zcopy:" \
		"'make $(MAKECMDGOALS)' installs into the system: run it as root" \
		"(sudo make $(MAKECMDGOALS)), or stage it with DESTDIR=" >&2; exit 1; }

# The zcopy-dkms package's sources are the package's: make's own DKMS and
# plain install paths stay away from them.
ZCOPY_DEB_OWNER = $(shell dpkg-query -S /usr/src/zcopy-$(ZCOPY_VERSION) 2>/dev/null | cut -d: -f1)

need-kdir:
	@test -d $(KDIR)/ || { echo "zcopy: no kernel build tree at $(KDIR):" \
		"sudo apt-get install linux-headers-$(KVER)" \
		"(or name another kernel with KVER= or KDIR=)" >&2; exit 1; }

need-libs:
	@pkg-config --exists libkmod liburing 2>/dev/null || { echo "zcopy:" \
		"zcopyctl needs libkmod, liburing and pkg-config: sudo apt-get" \
		"install pkg-config libkmod-dev liburing-dev" >&2; exit 1; }

need-dkms:
	@PATH=$$PATH:/usr/sbin:/sbin command -v $(firstword $(DKMS)) >/dev/null || \
		{ echo "zcopy: $(firstword $(DKMS)) not found: sudo apt-get" \
		"install dkms" >&2; exit 1; }

examples: userspace
	$(MAKE) -C examples

# The guest tests run examples/http_sendv too (t_examples.c).
guest-progs: userspace examples
	$(MAKE) -C tests/guest

check:
	@tests/check.sh

check-dkms:
	@tests/check-dkms.sh

style:
	@tests/style.sh

# ---- install ---------------------------------------------------------------
# Only module/ is built and installed (M= points at it): the KUnit suite that
# the test kernel also builds from the top-level Kbuild is not for installing.
# Kbuild's own depmod is switched off (DEPMOD=true): with DESTDIR it would
# write modules.dep into the staging tree, and Debian's headers have no
# System.map for it anyway; without DESTDIR depmod runs once, below.
# A kernel built with CONFIG_MODULE_SIG_ALL signs at modules_install with its
# own key; distribution headers do not ship that key, so signing is skipped
# there (DKMS signs with its own MOK key instead).
KMAKE_MODULE = $(MAKE) -C $(KDIR) M=$(CURDIR)/module KERNELRELEASE=$(KVER)
KMAKE_NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=)

install: install-module install-userspace install-data

# A module in extra/ (make install) and one in updates/dkms/ (DKMS) can both
# be installed, and depmod prefers updates/: whichever came second would
# change nothing.  So each way refuses while the other's module is there.
MODDIR = $(DESTDIR)/lib/modules/$(KVER)

install-module: need-root need-kdir
	@if ls $(MODDIR)/updates/dkms/zcopy.ko* >/dev/null 2>&1; then \
		if [ -n "$(ZCOPY_DEB_OWNER)" ]; then echo "zcopy: the" \
		"$(ZCOPY_DEB_OWNER) package manages zcopy.ko for $(KVER)" \
		"through DKMS: use it, or 'sudo apt-get remove" \
		"$(ZCOPY_DEB_OWNER)' first" >&2; else echo "zcopy: DKMS" \
		"manages zcopy.ko for $(KVER) ($(MODDIR)/updates/dkms):" \
		"install the rest with 'make install-userspace" \
		"install-data', or 'make dkms-uninstall' first" >&2; fi; \
		exit 1; fi
	$(KMAKE_MODULE) ZCOPY_WERROR=$(ZCOPY_WERROR) modules
	$(KMAKE_MODULE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		DEPMOD=true $(KMAKE_NOSIGN) modules_install
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
endif

# LIBDIR (a multiarch directory for a package) and the other directories of
# userspace/Makefile reach it from the command line through MAKEFLAGS.
install-userspace: need-root
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
		ZCOPY_VERSION=$(ZCOPY_VERSION)

# /dev/zcopy belongs to the "zcopy" group (udev/60-zcopy.rules), which
# sysusers.d creates; without DESTDIR it is created now.
install-data: need-root
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man4 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 udev/60-zcopy.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 644 udev/zcopy.sysusers $(DESTDIR)$(SYSUSERSDIR)/zcopy.conf
	install -m 644 man/zcopyctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/libzcopy.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 man/zcopy.4 $(DESTDIR)$(MANDIR)/man4/
	install -m 644 man/zcopy-sendfile.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 completion/zcopyctl.bash $(DESTDIR)$(BASHCOMPDIR)/zcopyctl
ifeq ($(DESTDIR),)
	if command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/zcopy.conf; \
	elif ! getent group zcopy >/dev/null; then groupadd --system zcopy; fi
endif

uninstall: need-root
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/zcopy.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/zcopy.ko.gz \
		$(DESTDIR)/lib/modules/$(KVER)/extra/zcopy.ko.xz \
		$(DESTDIR)/lib/modules/$(KVER)/extra/zcopy.ko.zst
ifeq ($(DESTDIR),)
	if [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi
endif
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-zcopy.rules \
		$(DESTDIR)$(SYSUSERSDIR)/zcopy.conf \
		$(DESTDIR)$(MANDIR)/man1/zcopyctl.1 $(DESTDIR)$(MANDIR)/man3/libzcopy.3 \
		$(DESTDIR)$(MANDIR)/man4/zcopy.4 $(DESTDIR)$(MANDIR)/man7/zcopy-sendfile.7 \
		$(DESTDIR)$(BASHCOMPDIR)/zcopyctl

# DKMS keeps its own copy of the sources in $(DKMS_SRC) and rebuilds the
# module there for each kernel it is asked for (and, AUTOINSTALL, for every
# kernel installed later).  DKMS="dkms --dkmstree ... --installtree ..." and
# DKMS_SRC point it elsewhere, and DKMS_KSRC at headers that are not in
# /lib/modules/$(KVER)/build, as tests/check-dkms.sh does.
DKMS_KSRC ?=
DKMS_KSRC_ARG = $(if $(DKMS_KSRC),--kernelsourcedir $(DKMS_KSRC))

dkms-source:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -R $(DKMS_FILES) $(DKMS_SRC)/
	sed -i 's/#MODULE_VERSION#/$(ZCOPY_VERSION)/g' $(DKMS_SRC)/dkms.conf
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.order' \
		-o -name '*.symvers' \) -delete

dkms-install: need-root need-dkms $(if $(DKMS_KSRC),,need-kdir)
	@if [ -n "$(ZCOPY_DEB_OWNER)" ]; then echo "zcopy: the" \
		"$(ZCOPY_DEB_OWNER) package has registered zcopy" \
		"$(ZCOPY_VERSION) with DKMS already" >&2; exit 1; fi
	@if ls $(MODDIR)/extra/zcopy.ko* >/dev/null 2>&1; then \
		echo "zcopy: 'make install' put zcopy.ko in $(MODDIR)/extra;" \
		"remove it with 'sudo make uninstall KVER=$(KVER)' before" \
		"handing the module to DKMS" >&2; exit 1; fi
	-$(DKMS) remove zcopy/$(ZCOPY_VERSION) --all >/dev/null 2>&1
	$(MAKE) dkms-source
	$(DKMS) add zcopy/$(ZCOPY_VERSION)
	$(DKMS) build zcopy/$(ZCOPY_VERSION) -k $(KVER) $(DKMS_KSRC_ARG)
	$(DKMS) install zcopy/$(ZCOPY_VERSION) -k $(KVER) $(DKMS_KSRC_ARG)

dkms-uninstall: need-root
	@if [ -n "$(ZCOPY_DEB_OWNER)" ]; then echo "zcopy: $(DKMS_SRC)" \
		"belongs to the $(ZCOPY_DEB_OWNER) package: 'sudo apt-get" \
		"remove $(ZCOPY_DEB_OWNER)'" >&2; exit 1; fi
	-$(DKMS) remove zcopy/$(ZCOPY_VERSION) --all
	rm -rf $(DKMS_SRC)

# ---- Debian packages ---------------------------------------------------------
# dpkg-buildpackage writes the packages next to the tree it builds, so it
# builds a copy in build/deb-src (without build/ and .git, so nothing else
# of the work tree's goes in) and the results are moved to build/deb.  Any
# lintian error or warning fails the target; its I: lines are shown.
DEB_SRC = build/deb-src/zcopy-$(ZCOPY_VERSION)
DEB_OUT = build/deb

# dpkg-checkbuilddeps names what debian/control's Build-Depends lacks,
# before anything is copied.
deb:
	@command -v dpkg-checkbuilddeps >/dev/null || { echo "zcopy: make deb" \
		"needs dpkg-dev: sudo apt-get install dpkg-dev debhelper" \
		"dh-dkms lintian" >&2; exit 1; }
	@dpkg-checkbuilddeps || { echo "zcopy: install them with 'sudo" \
		"apt-get build-dep ./' (or apt-get install), then make deb" \
		"again" >&2; exit 1; }
	@command -v lintian >/dev/null || { echo "zcopy: make deb checks" \
		"the packages with lintian: sudo apt-get install lintian" >&2; \
		exit 1; }
	rm -rf build/deb-src $(DEB_OUT)
	mkdir -p $(DEB_SRC) $(DEB_OUT)
	tar -cf - --exclude=./build --exclude=./.git . | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv build/deb-src/*.deb build/deb-src/*.buildinfo build/deb-src/*.changes \
		$(DEB_OUT)/
	rm -rf build/deb-src
	lintian --info --display-info --fail-on error,warning $(DEB_OUT)/*.changes

demo:
	@tests/demo.sh

bench:
	@tests/bench.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/guest clean
	$(MAKE) -C examples clean
	rm -rf build
