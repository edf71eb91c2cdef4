#!/bin/bash
# Judge a guest console log: count KUnit leaf results and PASS/FAIL lines by
# group, fail on any kernel report or a missing end marker, and print
# "N passed, N failed" last.  Exit status 0 only when nothing failed.
# ZCOPY_JUDGE_NO_KUNIT=1: the logs come from a kernel without KUnit (the
# stock kernels of tests/check-dkms.sh), so no KUnit results are expected.
#
#   judge.sh LOG...
set -uo pipefail

awk '
/^KUNIT-RESULTS-BEGIN/ { in_kunit = 1; delete subtests; next }
/^KUNIT-RESULTS-END/ { in_kunit = 0; next }
in_kunit && /# Subtest: / { sub(/.*# Subtest: /, ""); subtests[$0] = 1; next }
in_kunit && /^[ \t]*(not )?ok [0-9]+ / {
	line = $0
	sub(/^[ \t]*/, "", line)
	bad = (line ~ /^not ok/)
	sub(/^(not )?ok [0-9]+ /, "", line)
	skip = (line ~ /# SKIP/)
	sub(/ # .*/, "", line)
	if (line in subtests) next		# a parent: its children count
	if (skip) { kskip++; next }
	if (bad) { kfail++; print "FAIL kunit: " line } else kpass++
	next
}
/^PASS [^ ]+$/ { split($2, g, "/"); pass[g[1]]++; groups[g[1]] = 1; next }
/^FAIL / { split($2, g, "/"); sub(/:$/, "", g[1]); fail[g[1]]++; groups[g[1]] = 1; print; next }
/^ZCOPY-GUEST-END:/ { ended = 1 }
/BUG:|WARNING:|Oops:|Kernel panic|UBSAN:|KASAN:|possible circular locking|possible recursive locking|inconsistent lock state|unreferenced object|blocked for more than|Call Trace:|rcu: INFO|self-detected stall|detected stalls on CPUs|ZCOPY-HOST: guest timed out/ {
	reports++
	if (reports <= 20) print "kernel report: " $0
}
END {
	nokunit = ENVIRON["ZCOPY_JUDGE_NO_KUNIT"] != ""
	if (!nokunit)
		printf "kunit: %d passed, %d failed%s\n", kpass, kfail, kskip ? sprintf(", %d skipped", kskip) : ""
	printf "host: %d passed, %d failed\n", pass["host"], fail["host"]
	gp = 0; gf = 0
	for (grp in groups) {
		if (grp == "host") continue
		printf "%s: %d passed, %d failed\n", grp, pass[grp], fail[grp]
		gp += pass[grp]; gf += fail[grp]
	}
	printf "guest: %d passed, %d failed\n", gp, gf
	tp = kpass + pass["host"] + gp; tf = kfail + fail["host"] + gf
	if (kpass + kfail == 0 && !nokunit) { print "judge: no KUnit results in the log"; tf++ }
	if (!ended) { print "judge: the guest did not reach its end marker"; tf++ }
	if (reports) { printf "judge: %d kernel report line(s)\n", reports; tf++ }
	printf "%d passed, %d failed\n", tp, tf
	exit tf ? 1 : 0
}' "$@"
