/*
 * Unit tests for title sanitising: what a hostile client may put in a title
 * and what tinct shows instead. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compositor/title.h"

static void expect(const char *input, size_t max, const char *want, const char *what)
{
	char *got = title_sanitize(input, max);
	is_str(got, want, "%s", what);
	free(got);
}

static size_t encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* "a", cp, "b" sanitised: "ab" when cp is removed, "a<cp>b" when kept. */
static void expect_code_point(unsigned long cp, int removed)
{
	char input[8], want[8], what[64];
	size_t n = encode(cp, input + 1);
	input[0] = 'a';
	input[n + 1] = 'b';
	input[n + 2] = '\0';
	if (removed) {
		strcpy(want, "ab");
	} else {
		strcpy(want, input);
	}
	snprintf(what, sizeof(what), "U+%04lX %s", cp, removed ? "removed" : "kept");
	expect(input, 256, want, what);
}

/*
 * Default_Ignorable_Code_Point, from Unicode 15.0.0's
 * DerivedCoreProperties.txt (Debian's unicode-data 15.0.0-1). Every code
 * point of the class is checked, and the neighbours of every range.
 */
static const unsigned long default_ignorable[][2] = {
	{0x00ad, 0x00ad},
	{0x034f, 0x034f},
	{0x061c, 0x061c},
	{0x115f, 0x1160},
	{0x17b4, 0x17b5},
	{0x180b, 0x180f},
	{0x200b, 0x200f},
	{0x202a, 0x202e},
	{0x2060, 0x206f},
	{0x3164, 0x3164},
	{0xfe00, 0xfe0f},
	{0xfeff, 0xfeff},
	{0xffa0, 0xffa0},
	{0xfff0, 0xfff8},
	{0x1bca0, 0x1bca3},
	{0x1d173, 0x1d17a},
	{0xe0000, 0xe0fff},
};

static void expect_default_ignorable_removed(void)
{
	size_t ranges = sizeof(default_ignorable) / sizeof(default_ignorable[0]);
	int wrong = 0;
	unsigned long total = 0;
	for (size_t i = 0; i < ranges; i++) {
		for (unsigned long cp = default_ignorable[i][0]; cp <= default_ignorable[i][1];
			cp++) {
			char input[8];
			size_t n = encode(cp, input + 1);
			input[0] = 'a';
			input[n + 1] = 'b';
			input[n + 2] = '\0';
			char *got = title_sanitize(input, 256);
			if (got == NULL || strcmp(got, "ab") != 0) {
				if (wrong++ < 5) {
					printf("#   U+%04lX kept\n", cp);
				}
			}
			free(got);
			total++;
		}
	}
	ok(wrong == 0 && total == 4174, "all %lu Default_Ignorable_Code_Point removed", total);
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
	/* The invisible characters that used to pass, one by one. */
	expect_code_point(0x00ad, 1);
	expect_code_point(0x034f, 1);
	expect_code_point(0x17b4, 1);
	expect_code_point(0x180b, 1);
	expect_code_point(0x1bca0, 1);
	expect_code_point(0x1d173, 1);
	expect_default_ignorable_removed();
	/* Visible neighbours of the ranges stay. */
	static const unsigned long kept[] = {0x00ac, 0x00ae, 0x034e, 0x0350, 0x17b3, 0x17b6, 0x180a,
		0x1810, 0x3163, 0x3165, 0xfdff, 0xfe10, 0xffa1, 0x1bc9f, 0x1bca4, 0x1d172, 0x1d17b,
		0x1f600, 0xe1000};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		expect_code_point(kept[i], 0);
	}
	char *huge = malloc(100001);
	memset(huge, 'x', 100000);
	huge[100000] = '\0';
	char *got = title_sanitize(huge, 256);
	ok(got != NULL && strlen(got) == 255 + 3, "100 kB title capped");
	free(got);
	free(huge);
	return check_done();
}
