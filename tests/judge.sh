#!/bin/bash
# Judge a run: count KUnit leaf results and PASS/FAIL lines by group from the
# results, hold each test program's lines to its own count and exit status,
# fail on a missing end marker and on any kernel report on the console, and
# print "N passed, N failed" last.  Exit status 0 only when nothing failed.
#
#   judge.sh [--console LOG]... RESULTS...
#
# RESULTS ("-": standard input) are what the guest wrote on its results
# channel (tests/qemu/results.sh) and the host's own PASS/FAIL lines.  There,
# "RUN NAME" ... "EXIT NAME: status N" encloses a test program's lines, and
# its own count "WHO: N passed, N failed" must be among them, once, and
# agree with the PASS/FAIL lines received between (a program run inside
# another counts for itself alone); a non-zero status needs a FAIL line, a
# FAIL line a non-zero status, and any status but 0 or 1 fails.  A LOG is
# the console: only its kernel reports (BUG, WARNING, KASAN, lockdep,
# kmemleak, hung task, stall) and the host's timeout note are read there.
# ZCOPY_JUDGE_NO_KUNIT=1: the logs come from a kernel without KUnit (the
# stock kernels of tests/check-dkms.sh), so no KUnit results are expected.
set -uo pipefail

# awk reads the files in order, each after an assignment of its kind; a
# file that is not there is judged as empty, and counts as a failure.
files=() missing=0 nresults=0
add() {	# KIND FILE
	if [ "$2" != - ] && [ ! -r "$2" ]; then
		echo "judge: no $1 file $2"
		missing=$((missing + 1))
		files+=("kind=$1" /dev/null)
	else
		files+=("kind=$1" "$2")
	fi
}
while [ $# -gt 0 ]; do
	case $1 in
	--console) [ $# -ge 2 ] || { echo "judge.sh: --console LOG" >&2; exit 2; }
		add console "$2"; shift 2 ;;
	*) add results "$1"; nresults=$((nresults + 1)); shift ;;
	esac
done

awk -v missing="$missing" -v nresults="$nresults" '
function problem(msg) { problems++; print "judge: " msg }
# Programs still running when a results file ends never reported a status.
function close_open(   d) {
	for (d = depth; d > 0; d--)
		problem(prog[d] ": no exit status (\"EXIT " prog[d] ": status N\") in " file)
	depth = 0
}
function kunit_end() {
	if (!ktop) problem("kunit: the results of " ksuite " end early")
	# A suite that failed as a whole (its init, say) and no case in it.
	else if (ktopbad && !kfail_here) {
		kfail++
		print "FAIL kunit: " ksuite
	}
	in_kunit = 0
}
FNR == 1 {
	if (in_kunit) kunit_end()
	close_open()
	file = FILENAME
}
{ sub(/\r$/, "") }	# a tty that was not raw adds them

# ---- the console: kernel reports only ----
kind == "console" {
	if ($0 ~ /BUG:|WARNING:|Oops:|Kernel panic|UBSAN:|KASAN:|possible circular locking|possible recursive locking|inconsistent lock state|unreferenced object|blocked for more than|Call Trace:|rcu: INFO|self-detected stall|detected stalls on CPUs|ZCOPY-HOST: guest timed out/) {
		reports++
		if (reports <= 20) print "kernel report: " $0
	}
	next
}

# ---- the results ----
/^KUNIT-RESULTS-BEGIN / {
	if (in_kunit) kunit_end()
	in_kunit = 1; ksuite = $2; ktop = ktopbad = kfail_here = 0
	delete subtests
	next
}
/^KUNIT-RESULTS-END$/ { if (in_kunit) kunit_end(); next }
in_kunit && /# Subtest: / { sub(/.*# Subtest: /, ""); subtests[$0] = 1; next }
in_kunit && /^(not )?ok [0-9]+ / { ktop = 1; ktopbad = /^not ok/; next }
in_kunit && /^[ \t]+(not )?ok [0-9]+ / {
	line = $0
	sub(/^[ \t]*/, "", line)
	bad = (line ~ /^not ok/)
	sub(/^(not )?ok [0-9]+ /, "", line)
	skip = (line ~ /# SKIP/)
	sub(/ # .*/, "", line)
	if (line in subtests) next		# a parent: its children count
	if (skip) { kskip++; next }
	if (bad) { kfail++; kfail_here++; print "FAIL kunit: " line } else kpass++
	next
}
in_kunit { next }

/^RUN [^ ]+$/ {
	depth++
	prog[depth] = $2; ppass[depth] = pfail[depth] = nsum[depth] = 0
	next
}
/^EXIT [^ ]+: status -?[0-9]+$/ {
	name = $2; sub(/:$/, "", name); st = $4 + 0
	if (depth == 0 || prog[depth] != name) {
		problem("\"" $0 "\" without \"RUN " name "\"")
		next
	}
	nprograms++
	p = ppass[depth]; f = pfail[depth]
	printf "program %s: %d passed, %d failed, exit status %d\n", name, p, f, st
	if (nsum[depth] == 0)
		problem(name ": no count of its own (\"N passed, N failed\")")
	else if (nsum[depth] > 1)
		problem(name ": " nsum[depth] " counts of its own")
	else if (spass[depth] != p || sfail[depth] != f)
		problem(sprintf("%s: its own count says %d passed, %d failed, but %d PASS and %d FAIL lines came", name, spass[depth], sfail[depth], p, f))
	if (st != 0 && st != 1)
		problem(name ": ended with status " st)
	else if (st != 0 && f == 0)
		problem(name ": exit status " st " but no FAIL line")
	else if (st == 0 && f > 0)
		problem(name ": exit status 0 but " f " FAIL line(s)")
	depth--
	next
}
depth > 0 && /^[^ ]+: [0-9]+ passed, [0-9]+ failed$/ {
	nsum[depth]++; spass[depth] = $2 + 0; sfail[depth] = $4 + 0
	next
}
/^PASS [^ ]+$/ {
	split($2, g, "/"); pass[g[1]]++; groups[g[1]] = 1
	if (depth) ppass[depth]++
	next
}
/^FAIL / {
	split($2, g, "/"); sub(/:$/, "", g[1]); fail[g[1]]++; groups[g[1]] = 1
	if (depth) pfail[depth]++
	print
	next
}
/^ZCOPY-GUEST-END:/ { ended = 1 }

END {
	if (in_kunit) kunit_end()
	close_open()
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
	tp = kpass + pass["host"] + gp; tf = kfail + fail["host"] + gf + problems + missing
	if (!nresults) { print "judge: no results file given"; tf++ }
	if (kpass + kfail == 0 && !nokunit) { print "judge: no KUnit results"; tf++ }
	if (!ended) { print "judge: the guest did not reach its end marker"; tf++ }
	if (reports) { printf "judge: %d kernel report line(s)\n", reports; tf++ }
	printf "%d passed, %d failed\n", tp, tf
	exit tf ? 1 : 0
}' "${files[@]}"
