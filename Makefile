# SPDX-License-Identifier: GPL-2.0
# zcopy: a thin wrapper over Kbuild, the userspace tools and the QEMU harness.
#
#   make module [KDIR=...]   build module/zcopy.ko (default: the running kernel)
#   make userspace           build zcopyctl and libzcopy
#   make check               build, boot the debug test kernel, run every test
#   make demo                boot the test kernel and show zero copy in numbers
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
# make check builds with -Werror; users' compilers may warn about new things.
ZCOPY_WERROR ?=

.PHONY: all module modules-all userspace guest-progs check demo clean

all: module userspace

module modules-all:
	$(MAKE) -C $(KDIR) M=$(CURDIR) ZCOPY_WERROR=$(ZCOPY_WERROR) modules

userspace:
	$(MAKE) -C userspace

guest-progs: userspace
	$(MAKE) -C tests/guest

check:
	@for std in c90 c99 c11; do \
		echo '#include <linux/zcopy.h>' | $(CC) -std=$$std -pedantic -Wall -Wextra \
			-Werror -Iuapi -x c -c -o /dev/null - || exit 1; done
	@echo '#include <linux/zcopy.h>' | $(CXX) -std=c++11 -pedantic -Wall -Wextra \
		-Werror -Iuapi -x c++ -c -o /dev/null -

check:
	@tests/check.sh

demo:
	@tests/demo.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/guest clean
	rm -rf build
