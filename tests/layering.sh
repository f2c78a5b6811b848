#!/bin/bash
# SPDX-License-Identifier: MIT
# The rooms' dependencies run one way:
#   common <- core <- policy <- engine <- preload, cli, daemon
# (policy depends on common only). Every quoted #include of a room's file
# must name a header of the room itself or of a room it may use; nothing
# is force-included (-include) into a room's objects.
set -u
cd "$(dirname "$0")/.."

# room: the rooms whose headers it may include (itself first).
declare -A may=(
	[common]="common"
	[core]="core common"
	[policy]="policy common"
	[engine]="engine policy core common"
	[preload]="preload engine policy core common"
	[cli]="cli engine policy core common"
	[daemon]="daemon engine policy core common"
)
bad=0

for room in "${!may[@]}"; do
	for f in "$room"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r h; do
			ok=0
			for r in ${may[$room]}; do
				[ -e "$r/$h" ] && ok=1 && break
			done
			[ $ok = 1 ] && continue
			from=$(for r in "${!may[@]}"; do
				[ -e "$r/$h" ] && echo "$r"; done | tr '\n' ' ')
			echo "$f includes \"$h\" from ${from:-nowhere}:" \
				"$room may use only ${may[$room]}"
			bad=1
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
done
if grep -n -- '-include ' Makefile; then
	echo "Makefile force-includes a header into objects"
	bad=1
fi
[ $bad = 0 ] && echo "layering: every include points down or sideways into its own room"
exit $bad
