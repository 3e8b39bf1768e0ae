#!/bin/sh
# After installing, the man pages are where man looks: `man tinct`,
# `man 5 tinct`, `man tinctctl` and `man tinct-vm` render. Installed into a
# scratch root (DESTDIR) so the test leaves the machine as it was.
. "$(dirname "$0")/lib.sh"
need man meson

meson install -C "$TINCT_BUILD_ROOT" --no-rebuild --destdir "$TEST_DIR/root" >"$TEST_DIR/install.log" 2>&1 ||
	fail "meson install failed: $(tail -5 "$TEST_DIR/install.log")"
prefix=$(meson introspect --buildoptions "$TINCT_BUILD_ROOT" | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
man_dir="$TEST_DIR/root$prefix/share/man"
for page in "1 tinct" "5 tinct" "1 tinctctl" "1 tinct-vm"; do
	set -- $page
	MANPATH="$man_dir" MANPAGER=cat man "$1" "$2" >"$TEST_DIR/page" 2>"$TEST_DIR/man.err" ||
		fail "man $1 $2 failed: $(cat "$TEST_DIR/man.err")"
	grep -q "$2" "$TEST_DIR/page" || fail "man $1 $2 is empty"
	# scdoc markup must not leak into the rendered page.
	grep -Eq '(^|[[:space:]])(\*[a-z-]+\*|_[A-Za-z-]+_)([[:space:].,]|$)' "$TEST_DIR/page" &&
		fail "man $1 $2 shows raw markup: $(grep -E '(^|[[:space:]])(\*[a-z-]+\*|_[A-Za-z-]+_)' "$TEST_DIR/page" | head -3)"
done
[ -x "$TEST_DIR/root$prefix/bin/tinct" ] || fail "tinct not installed"
[ -x "$TEST_DIR/root$prefix/bin/tinctctl" ] || fail "tinctctl not installed"
