#!/bin/bash
# SPDX-License-Identifier: MIT
# The repository stands alone: no tracked file cites a document outside it
# (the design notes it grew from live elsewhere; what the code relies on is
# in docs/), every relative link of a Markdown file (README.md, docs/*.md,
# preload/DESIGN.md) names a file that exists, and every "docs/kernel-facts.md §N" or "docs/reliability.md
# rule N" names a section or rule those files have.
set -u
cd "$(dirname "$0")/.."
self=tests/docs.sh
bad=0

# The files to look at: what git tracks, or the tree when there is no git.
list_files()
{
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f ! -path './.git/*' ! -path './build/*' |
			sed 's|^\./||'
	fi
}

# grep_tracked ERE: "file:line:text" of every text-file line matching ERE.
grep_tracked()
{
	list_files | grep -vxF "$self" | tr '\n' '\0' |
		xargs -0 grep -HnIE -- "$1" 2>/dev/null
}

# 1. Citations of outside documents. A bare name is allowed only as a
# link target inside docs/ ("(kernel-facts.md)"), which resolves there.
while IFS= read -r hit; do
	f=${hit%%:*}
	rest=${hit#*:}
	n=${rest%%:*}
	line=${rest#*:}
	if grep -q 'shared/design' <<<"$line"; then
		echo "$f:$n: cites a document outside the repository"
		bad=1
		continue
	fi
	# Drop the allowed forms, then look for what is left.
	left=$(sed -E 's#docs/(kernel-facts|reliability)\.md##g' <<<"$line")
	[[ $f == docs/* ]] &&
		left=$(sed -E 's#\]\((kernel-facts|style)\.md[^)]*\)##g' <<<"$left")
	if grep -Eq 'kernel-facts|style\.md' <<<"$left"; then
		echo "$f:$n: cites kernel-facts or style.md outside docs/:" \
			"$(sed 's/^[[:space:]]*//' <<<"$line")"
		bad=1
	fi
done < <(grep_tracked 'shared/design|kernel-facts|style\.md')

# 2. Relative links in the Markdown files name existing files.
for md in $(list_files | grep '\.md$'); do
	[ -f "$md" ] || continue
	dir=$(dirname "$md")
	while IFS=: read -r n target; do
		case $target in
		http:* | https:* | mailto:* | '#'*) continue ;;
		esac
		path=${target%%#*}
		if [ -n "$path" ] && [ ! -e "$dir/$path" ]; then
			echo "$md:$n: link to $target: no such file"
			bad=1
		fi
	done < <(grep -noE '\]\([^)[:space:]]+\)' "$md" |
		sed -E 's/^([0-9]+):\]\((.*)\)$/\1:\2/')
done

# 3. Numbered citations name a section or rule that exists: a heading
# "## N. " (or "### N. ") in that file.
has_heading()
{
	[ -f "$1" ] && grep -Eq "^#{2,3} $2\. " "$1"
}
# check_refs ERE FILE WHAT: every match of ERE (ending in the number)
# in a tracked file names a heading of FILE.
check_refs()
{
	local hit f rest n num
	while IFS= read -r hit; do
		f=${hit%%:*}
		rest=${hit#*:}
		n=${rest%%:*}
		for num in $(grep -oE -- "$1" <<<"${rest#*:}" |
			grep -oE '[0-9]+b?$'); do
			if ! has_heading "$2" "$num"; then
				echo "$f:$n: $2 has no $3 $num"
				bad=1
			fi
		done
	done < <(grep_tracked "$1")
}
check_refs 'kernel-facts\.md,? §[0-9]+' docs/kernel-facts.md section
check_refs 'reliability\.md,? rules? [0-9]+b?' docs/reliability.md rule

[ $bad = 0 ] && echo "docs: no outside citation; every link, section and" \
	"rule reference resolves"
exit $bad
