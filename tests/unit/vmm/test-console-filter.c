/*
 * Unit tests of the console filter: what a hostile guest may write to its
 * serial console and what reaches the user's terminal instead. Every case
 * is also fed one byte at a time, which must give the same output.
 */
#include <stdlib.h>

#include "check.h"
#include "vmm/console_filter.h"

#define ESC "\x1b"
#define BEL "\x07"
#define ST ESC "\\"

static void escape(const char *in, size_t len, char *out, size_t size)
{
	size_t at = 0;
	for (size_t i = 0; i < len && at + 5 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c >= 0x7f || c == '\\') {
			at += (size_t)snprintf(out + at, size - at, "\\x%02x", c);
		} else {
			out[at++] = (char)c;
		}
	}
	out[at] = '\0';
}

static size_t filter_whole(const char *in, size_t len, char *out)
{
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	size_t n = console_filter_feed(&filter, in, len, out);
	console_filter_finish(&filter);
	return n;
}

static size_t filter_bytewise(const char *in, size_t len, char *out)
{
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		n += console_filter_feed(&filter, in + i, 1, out + n);
	}
	console_filter_finish(&filter);
	return n;
}

static void expect_len(const char *in, size_t in_len, const char *want, const char *what)
{
	char out[CONSOLE_FILTER_OUT_MAX(1024)];
	char got_text[4096], want_text[4096];
	size_t want_len = strlen(want);
	size_t n = filter_whole(in, in_len, out);
	escape(out, n, got_text, sizeof(got_text));
	escape(want, want_len, want_text, sizeof(want_text));
	is_str(got_text, want_text, "%s", what);

	char label[256];
	snprintf(label, sizeof(label), "%s (byte by byte)", what);
	n = filter_bytewise(in, in_len, out);
	escape(out, n, got_text, sizeof(got_text));
	is_str(got_text, want_text, "%s", label);
}

static void expect(const char *in, const char *want, const char *what)
{
	expect_len(in, strlen(in), want, what);
}

int main(void)
{
	// Text.
	expect("hello, world", "hello, world", "printable ASCII passes");
	expect("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
		"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "UTF-8 of 2, 3 and 4 bytes passes");
	expect("a\r\nb\tc\bd", "a\r\nb\tc\bd", "CR, LF, TAB and BS pass");
	expect_len("a\0b" BEL "c\x0e"
		   "d\x0f"
		   "e\x7f"
		   "f\x05g",
		13, "abcdefg", "NUL, BEL, SO, SI, DEL and ENQ are dropped");

	// Strings: OSC, DCS, APC, PM, SOS.
	expect("a" ESC "]52;c;aGFja2Vk" BEL "b", "ab", "OSC 52 write (BEL) is dropped");
	expect("a" ESC "]52;c;aGFja2Vk" ST "b", "ab", "OSC 52 write (ST) is dropped");
	expect("a" ESC "]52;c;?" BEL "b", "ab", "OSC 52 query is dropped");
	expect("a" ESC "]2;owned" BEL "b", "ab", "OSC 2 (title) is dropped");
	expect("a" ESC "]0;owned" ST "b", "ab", "OSC 0 (icon and title) is dropped");
	expect("a" ESC "]11;?" BEL "b", "ab", "OSC 11 (background query) is dropped");
	expect("a" ESC "]8;;http://x/" ST "link" ESC "]8;;" ST "b", "alinkb",
		"OSC 8 hyperlinks are dropped, their text kept");
	expect("a" ESC "P+q544e" ST "b", "ab", "DCS XTGETTCAP is dropped");
	expect("a" ESC "P$qm" ST "b", "ab", "DCS DECRQSS is dropped");
	expect("a" ESC "_apc" ST "b", "ab", "APC is dropped");
	expect("a" ESC "^pm" ST "b", "ab", "PM is dropped");
	expect("a" ESC "Xsos" ST "b", "ab", "SOS is dropped");
	expect("a" ESC "]52;c;\r\n\x1b[31mtext" BEL "b", "a" ESC "[31mtextb",
		"an ESC ends a string as in a terminal; what follows is filtered anew");
	expect("a" ESC "]52;c;xx\x18"
	       "b",
		"ab", "CAN ends a string");
	expect("a" ESC "]52;c;xx\x1a"
	       "b",
		"ab", "SUB ends a string");
	expect("a" ESC "]52;c;xx", "a", "an unterminated string is dropped");

	// CSI.
	expect(ESC "[1;31mred" ESC "[m", ESC "[1;31mred" ESC "[m", "SGR passes");
	expect(ESC "[38:2::10:20:30m", ESC "[38:2::10:20:30m", "SGR with colon parameters passes");
	expect(ESC "[A" ESC "[2B" ESC "[3C" ESC "[4D" ESC "[E" ESC "[F" ESC "[5G",
		ESC "[A" ESC "[2B" ESC "[3C" ESC "[4D" ESC "[E" ESC "[F" ESC "[5G",
		"cursor movement passes");
	expect(ESC "[10;20H" ESC "[1;1f" ESC "[7d", ESC "[10;20H" ESC "[1;1f" ESC "[7d",
		"cursor position passes");
	expect(ESC "[K" ESC "[2K" ESC "[J" ESC "[2J", ESC "[K" ESC "[2K" ESC "[J" ESC "[2J",
		"erase in line and display pass");
	expect(ESC "[3J", "", "erasing the scrollback is dropped");
	expect("a" ESC "[cb", "ab", "DA1 is dropped");
	expect("a" ESC "[0cb", "ab", "DA1 with parameter is dropped");
	expect("a" ESC "[>cb", "ab", "DA2 is dropped");
	expect("a" ESC "[=cb", "ab", "DA3 is dropped");
	expect("a" ESC "[6nb", "ab", "DSR/CPR is dropped");
	expect("a" ESC "[5nb", "ab", "DSR status is dropped");
	expect("a" ESC "[?6nb", "ab", "DECXCPR is dropped");
	expect("a" ESC "[21tb", "ab", "window op: report title is dropped");
	expect("a" ESC "[14tb", "ab", "window op: report size is dropped");
	expect("a" ESC "[?2004$pb", "ab", "DECRQM is dropped");
	expect("a" ESC "[>0qb", "ab", "XTVERSION is dropped");
	expect("a" ESC "[?1000hb", "ab", "mouse reporting is dropped");
	expect("a" ESC "[?1004hb", "ab", "focus reporting is dropped");
	expect("a" ESC "[?2004hb", "ab", "bracketed paste is dropped");
	expect("a" ESC "[?1049hb", "ab", "the alternate screen is dropped");
	expect("a" ESC "[1;5rb", "ab", "scroll regions are dropped");
	expect("a" ESC "[?31mb", "ab", "a private marker drops an SGR");
	expect("a" ESC "[1 mb", "ab", "an intermediate byte drops an SGR");
	expect("a" ESC "[3\n1mb", "a\n1mb", "a control inside a CSI drops it and is read again");
	expect("a" ESC "[3" ESC "[1mb", "a" ESC "[1mb", "an ESC inside a CSI starts over");

	char long_csi[CONSOLE_FILTER_SEQ_MAX + 16] = ESC "[";
	size_t at = strlen(long_csi);
	while (at < CONSOLE_FILTER_SEQ_MAX) {
		long_csi[at++] = '1';
	}
	strcpy(long_csi + at, "mok");
	expect(long_csi, "ok", "a CSI longer than the limit is dropped");
	long_csi[at - 1] = '\0';
	strcat(long_csi, "m");
	expect(long_csi, long_csi, "a CSI of exactly the limit passes");

	// Other escapes.
	expect(ESC "7x" ESC "8", ESC "7x" ESC "8", "save and restore cursor pass");
	expect("a" ESC "cb", "ab", "reset is dropped");
	expect("a" ESC "(0b", "ab", "charset designation is dropped");
	expect("a" ESC "#8b", "ab", "DECALN is dropped");
	expect("a" ESC "=b", "ab", "keypad mode is dropped");
	expect("a" ESC ESC "[1mb", "a" ESC "[1mb", "ESC ESC: the first is dropped");
	expect("a" ESC "\nb", "a\nb", "ESC before a control: the ESC is dropped");
	expect("a" ESC, "a", "a trailing ESC is held and dropped at the end");

	// 8-bit controls and broken UTF-8.
	expect("a\x9d"
	       "52;c;?\x07"
	       "b",
		"a?52;c;?b", "a raw 8-bit OSC introducer is not UTF-8: one '?'");
	expect("a\x9b"
	       "6n",
		"a?6n", "a raw 8-bit CSI is not UTF-8: one '?'");
	expect("a\xc2\x9d"
	       "x\xc2\x9b"
	       "y\xc2\x85z",
		"axyz", "C1 controls encoded as UTF-8 are dropped");
	expect("a\xc2\xa0"
	       "b",
		"a\xc2\xa0"
		"b",
		"U+00A0 passes");
	expect("a\xc0\x80"
	       "b",
		"a??b", "overlong encodings are replaced");
	expect("a\xe0\x80\xafz", "a???z", "overlong 3-byte encodings are replaced");
	expect("a\xed\xa0\x80z", "a???z", "surrogates are replaced");
	expect("a\xf4\x90\x80\x80z", "a????z", "code points above U+10FFFF are replaced");
	expect("a\xf5z", "a?z", "invalid lead bytes are replaced");
	expect("a\xe2\x9c"
	       "b",
		"a?b", "a truncated sequence is one '?'");
	expect("a\xe2\x9c", "a", "a sequence cut by the end is held and dropped");

	// Items split across calls are held, not half written.
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	char out[CONSOLE_FILTER_OUT_MAX(16)];
	size_t n = console_filter_feed(&filter, ESC "[3", 3, out);
	ok(n == 0, "an incomplete CSI writes nothing");
	n = console_filter_feed(&filter, "1mx", 3, out);
	ok(n == 6 && memcmp(out, ESC "[31mx", 6) == 0, "it is written when complete");
	n = console_filter_feed(&filter, "\xe2\x9c", 2, out);
	ok(n == 0, "an incomplete UTF-8 character writes nothing");
	n = console_filter_feed(&filter, "\x93", 1, out);
	ok(n == 3 && memcmp(out, "\xe2\x9c\x93", 3) == 0, "it is written when complete");
	n = console_filter_feed(&filter, ESC "[3", 3, out);
	console_filter_finish(&filter);
	n = console_filter_feed(&filter, "1m", 2, out);
	ok(n == 2 && memcmp(out, "1m", 2) == 0, "finish drops what was held");
	console_filter_finish(&filter);

	// The output bound holds for a CSI completed by its last byte.
	console_filter_init(&filter);
	char big[CONSOLE_FILTER_OUT_MAX(1)];
	n = console_filter_feed(&filter, long_csi, strlen(long_csi) - 1, big);
	ok(n == 0, "a CSI of the limit is held");
	n = console_filter_feed(&filter, "m", 1, big);
	ok(n == CONSOLE_FILTER_SEQ_MAX && n <= sizeof(big),
		"completing it writes the whole sequence within the bound");
	console_filter_finish(&filter);

	return check_done();
}
