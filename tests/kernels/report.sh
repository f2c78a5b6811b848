# SPDX-License-Identifier: MIT
# The kernel matrix's reading of a guest's results port (the protocol is
# at the top of tests/kernels/guest.sh): each suite's checks again as
# "PASS: [RELEASE] suite: check" lines, cmocka's verdicts turned into the
# same, a FAIL for whatever did not start or finish, and the kernel's line
# "Linux RELEASE: N passed, N failed, N skipped". Sourced by run.sh and
# report_test.sh; needs $top.

# kernel_report REL DIR: DIR/results.raw, what the guest wrote to its
# results port, as checks, per suite and per kernel; exit status 1 when
# any failed.
# Writes DIR/suites (name passed failed skipped seconds exit) and
# DIR/probes (key value) for table.sh, and DIR/sockopts (the kernel's
# answer to each socket option, TCP and MPTCP, from mpa-sockopts).
kernel_report()
{
	local rel=$1 dir=$2

	tr -d '\r' <"$dir/results.raw" >"$dir/results.log"
	awk -v rel="$rel" -v suites="$dir/suites" -v probes="$dir/probes" \
		-v sockopts="$dir/sockopts" '
	function flush(why) {
		if (name == "")
			return
		if (why != "") {
			print "FAIL: [" rel "] " name ": " why
			f++
		} else if (rc == 77) {
			print "SKIP: [" rel "] " name " (" skipwhy ")"
			s++
		} else if (rc != 0 && f == 0) {
			print "FAIL: [" rel "] " name ": exit status " rc
			# The FAIL and SKIP lines of the suite, or what the last cmocka
			# test printed (a crash, a sanitizer report).
			printf "%s%s", detail, buf
			f++
		} else if (p + f + s == 0) {
			print "FAIL: [" rel "] " name ": no check ran"
			f++
		}
		printf "%s %d %d %d %s %s\n", name, p, f, s, secs, rc > suites
		delete plan[name]
		P += p; F += f; S += s
		name = ""
	}
	BEGIN { P = F = S = 0; done = 0; planned = 0; name = ""; before = "" }
	# A guest booted again says its probes again: each key once.
	/^MPA-PROBE / { sub(/^MPA-PROBE /, ""); if (!($1 in probed))
		print > probes; probed[$1] = 1; next }
	/^MPA-KERNEL / { booted = $3; boots++; next }
	/^MPA-PLAN / { planned = 1; for (i = 2; i <= NF; i++) plan[$i] = 1
		next }
	/^MPA-SUITE / {
		flush("did not finish")
		name = $2; kind = $3; p = f = s = 0; rc = secs = "-"
		skipwhy = "skipped"; detail = buf = ""; delete seen
		next
	}
	/^MPA-END / { rc = $3 + 0; secs = $4; flush(""); next }
	/^MPA-FAIL / { sub(/^MPA-FAIL /, ""); print "FAIL: [" rel "] " $0; F++
		next }
	/^MPA-DONE/ { flush("did not finish"); done = 1; ended = $2; next }
	# Before any suite: what the guest said, for a guest that ran none.
	name == "" && !planned && length(before) < 1000 {
		before = before "      " $0 "\n"
	}
	name == "" { next }
	# The kernel answers to each socket option, as docs/sockopts.md lists
	# them per kernel.
	name == "socket-options" && (/^# IPv/ || /^[A-Z][A-Z0-9_]+ +[^ ]+ +[^ ]+$/) {
		print > sockopts
	}
	# Lines that explain a failure: the suite exit status comes with them.
	kind == "tap" && /^(FAIL|SKIP)[ :(]/ {
		if (length(detail) < 2000) detail = detail "      " $0 "\n"
	}
	/^SKIP: / && kind != "tap" { skipwhy = substr($0, 7) }
	kind == "tap" && /^PASS: / { p++; print "PASS: [" rel "] " name ": " substr($0, 7); next }
	kind == "tap" && /^FAIL: / { f++; print "FAIL: [" rel "] " name ": " substr($0, 7); next }
	kind == "tap" && /^SKIP: / { s++; print "SKIP: [" rel "] " name ": " substr($0, 7); next }
	kind == "tap" && /^      / { print; next }
	# A cmocka test: what it printed ("[  ERROR   ]", "[   LINE   ]", its
	# own lines) is shown under its FAIL line.
	kind == "cmocka" && /^\[ RUN      \] / { buf = ""; next }
	kind == "cmocka" && /^\[       OK \] / { p++
		print "PASS: [" rel "] " name ": " substr($0, 14); next }
	kind == "cmocka" && /^\[  (FAILED  |SKIPPED )\] / && !/test\(s\)/ {
		t = substr($0, 14)
		if (t in seen)
			next
		seen[t] = 1
		if ($0 ~ /FAILED/) {
			f++
			print "FAIL: [" rel "] " name ": " t
			printf "%s", buf
		} else {
			s++
			print "SKIP: [" rel "] " name ": " t
		}
		buf = ""
		next
	}
	kind == "cmocka" && !/^\[(==========|  PASSED  |  FAILED  )\]/ {
		if (length(buf) < 4000) buf = buf "      " $0 "\n"
	}
	END {
		flush("did not finish")
		for (n in plan) {
			print "FAIL: [" rel "] " n ": did not start"
			printf "%s 0 1 0 - -\n", n > suites
			F++
		}
		if (!done) {
			print "FAIL: [" rel "] the guest did not finish (timeout or crash; console: " \
				consolelog ")"
			F++
		}
		# A guest that never got to its suites passed nothing.
		if (!planned) {
			print "FAIL: [" rel "] the guest ran no suite"
			printf "%s", before
			F++
		}
		printf "Linux %s: %d passed, %d failed, %d skipped\n", rel, P, F, S
		if (booted != "" && ended != "" && boots > 1)
			printf "      (Linux %s: booted %d times, the last in %.1f s, its suites %.1f s)\n",
				rel, boots, booted, ended - booted
		else if (booted != "" && ended != "")
			printf "      (Linux %s: booted in %.1f s, suites %.1f s)\n",
				rel, booted, ended - booted
		exit F > 0
	}' consolelog="${dir#"$top"/}/console.log" "$dir/results.log"
}

# kernel_left DIR: the suites of DIR/results.raw's plan that did not end,
# with commas between, as MPA_SUITES takes them: first the one a dead
# guest was running, then the others in the plan's order (the plan keeps
# the order MPA_SUITES gave, the guest runs guest.sh's). Nothing when the
# guest finished (MPA-DONE) or never planned.
kernel_left()
{
	tr -d '\r' <"$1/results.raw" | awk '
	/^MPA-PLAN / { for (i = 2; i <= NF; i++) plan[++n] = $i; next }
	/^MPA-SUITE / { running = $2; next }
	/^MPA-END / { ended[$2] = 1; running = ""; next }
	/^MPA-DONE/ { done = 1 }
	END {
		if (done)
			exit
		s = running
		for (i = 1; i <= n; i++)
			if (!(plan[i] in ended) && plan[i] != running)
				s = s (s == "" ? "" : ",") plan[i]
		if (s != "")
			print s
	}'
}

# kernel_keep_ended DIR: DIR/results.raw up to its last MPA-END line, the
# suites that ended, for the results of a second boot to follow (the
# suite the guest died in runs again there).
kernel_keep_ended()
{
	local last
	last=$(grep -n '^MPA-END ' "$1/results.raw" | tail -1 | cut -d: -f1)
	if [ -n "$last" ]; then
		head -n "$last" "$1/results.raw" >"$1/results.kept"
	else
		grep -E '^MPA-(KERNEL|PROBE) ' "$1/results.raw" >"$1/results.kept"
	fi
	mv "$1/results.kept" "$1/results.raw"
}
