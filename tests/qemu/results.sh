# shellcheck shell=dash
# The results channel, for tests/qemu/init and the guest-*.sh jobs, which
# source this file.  init names the channel in ZCOPY_RESULTS: the guest's
# second serial port, which tests/qemu/boot.sh writes to a file of its own,
# apart from the console and the kernel's messages.  Without it the lines
# go to the console alone (and tests/judge.sh finds no results).
#
#   record LINE        LINE to the channel, and a copy to the console
#   channel_cat        standard input to the channel as it is (KUnit's
#                      results blocks)
#   pass NAME          "PASS NAME", counted
#   fail NAME WHY      "FAIL NAME: WHY", counted
#   check NAME CMD...  pass NAME if CMD succeeds, else fail it
#   run NAME CMD...    a test program: CMD between the records "RUN NAME"
#                      and "EXIT NAME: status N" (channel only); returns N
#   summary NAME       "NAME: N passed, N failed" of this script's own
#                      pass/fail; returns 0 only if none failed
#
# The program's own lines and count go in between RUN and EXIT; the judge
# holds each program's PASS/FAIL lines, its count and its status to each
# other, so a lost line, a lost count or a lost status fails the run.

results_passed=0
results_failed=0

# One line to the channel.  Opened per line, in a subshell: PID 1 (init)
# opening a tty would make it its controlling terminal.
to_channel() {
	[ -z "${ZCOPY_RESULTS:-}" ] || (printf '%s\n' "$*" >>"$ZCOPY_RESULTS")
}

channel_cat() {
	if [ -n "${ZCOPY_RESULTS:-}" ]; then (cat >>"$ZCOPY_RESULTS"); else cat; fi
}

record() {
	to_channel "$*"
	printf '%s\n' "$*"
}

pass() {
	record "PASS $1"
	results_passed=$((results_passed + 1))
}

fail() {
	record "FAIL $1: $2"
	results_failed=$((results_failed + 1))
}

check() {
	check_name=$1
	shift
	if "$@"; then pass "$check_name"; else fail "$check_name" "$*"; fi
}

run() {
	run_name=$1
	shift
	to_channel "RUN $run_name"
	"$@"
	run_rc=$?
	to_channel "EXIT $run_name: status $run_rc"
	return $run_rc
}

summary() {
	record "$1: $results_passed passed, $results_failed failed"
	[ "$results_failed" -eq 0 ]
}
