/*
 * Unit tests for title sanitising: what a hostile client may put in a title
 * and what tinct shows instead. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "title.h"

static void expect(const char *input, size_t max, const char *want, const char *what)
{
	char *got = title_sanitize(input, max);
	is_str(got, want, "%s", what);
	free(got);
}

int main(void)
{
	expect("foot", 256, "foot", "plain ASCII unchanged");
	expect(NULL, 256, "", "NULL is empty");
	expect("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", 256,
		"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "valid UTF-8 kept (2, 3, 4 bytes)");
	expect("a\x01"
	       "b\x1b"
	       "[31mc\x7f",
		256, "ab[31mc", "C0 controls, ESC and DEL removed");
	expect("x\xc2\x85y\xc2\x9bz", 256, "x yz", "NEL is space, C1 CSI removed");
	expect("abc\xe2\x80\xae"
	       "def",
		256, "abcdef", "RIGHT-TO-LEFT OVERRIDE removed");
	expect("\xe2\x81\xa6"
	       "a"
	       "\xe2\x81\xa9",
		256, "a", "bidi isolates removed");
	expect("a\xe2\x80\x8b"
	       "b\xef\xbb\xbf"
	       "c",
		256, "abc", "zero-width characters removed");
	expect("bad\xff\xfe"
	       "byte",
		256, "badbyte", "invalid bytes removed");
	expect("over\xc0\xaflong", 256, "overlong", "overlong encoding rejected");
	expect("sur\xed\xa0\x80rogate", 256, "surrogate", "encoded surrogate rejected");
	expect("trunc\xe2\x82", 256, "trunc", "truncated sequence dropped");
	expect("  lots \t of\n\nspace  ", 256, "lots of space", "whitespace collapsed and trimmed");
	expect("\n[other-vm] \x1b"
	       "fake",
		256, "[other-vm] fake", "fake prefix stays visible text, never a real one");
	expect("abcdefghij", 5, "abcd\xe2\x80\xa6", "capped with an ellipsis");
	expect("abcde", 5, "abcde", "exactly at the cap is kept");
	expect("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4,
		"\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6", "cap counts code points, not bytes");
	char *huge = malloc(100001);
	memset(huge, 'x', 100000);
	huge[100000] = '\0';
	char *got = title_sanitize(huge, 256);
	ok(got != NULL && strlen(got) == 255 + 3, "100 kB title capped");
	free(got);
	free(huge);
	return check_done();
}
