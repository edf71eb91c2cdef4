/* SPDX-License-Identifier: GPL-2.0 */
/*
 * results.h - the results channel of the guest programs (results.c).
 *
 * tests/qemu/init names it in $ZCOPY_RESULTS: the guest's second serial
 * port, which the host writes to a file of its own, apart from the console
 * and the kernel's messages.  A program writes there its result lines
 * (PASS/FAIL/SKIP) and, last, its own count "NAME: N passed, N failed";
 * the harness adds the program's exit status, and tests/judge.sh checks
 * the three against each other.
 */
#ifndef ZCT_RESULTS_H
#define ZCT_RESULTS_H

/* Open $ZCOPY_RESULTS for writing; without it, results go to standard
 * output alone.  If it is set but cannot be opened, the program ends with
 * status 2: results that cannot be delivered must not look like none. */
void results_open(void);

/* Write one result line (the newline is added; any inside become spaces)
 * to the channel with a single write(2), so that it arrives whole or not
 * at all, and a copy to standard output, where it tells a reader of the
 * console which test the kernel's messages around it belong to. */
void result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* ZCT_RESULTS_H */
