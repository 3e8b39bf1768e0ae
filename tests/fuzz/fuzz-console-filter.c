/*
 * Fuzzes the console filter (vmm/console_filter.h). Properties: the output
 * is only what the header lets pass (checked by a separate recogniser
 * below), never opens a string (ESC ] / P / _ / ^ / X); feeding in pieces
 * gives the same output as feeding at once; each call stays within
 * CONSOLE_FILTER_OUT_MAX; and filtering the output again changes nothing.
 */
#include <stdbool.h>
#include <string.h>

#include "vmm/console_filter.h"
#include "fuzz.h"

// Length of the passing item at out[0..len), 0 when there is none.
static size_t item_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if ((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t' || c == '\b') {
		return 1;
	}
	if (c == 0x1b) {
		if (len >= 2 && (s[1] == '7' || s[1] == '8')) {
			return 2;
		}
		if (len < 3 || s[1] != '[') {
			return 0;
		}
		size_t i = 2;
		while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';' || s[i] == ':')) {
			i++;
		}
		if (i == len || i + 1 > CONSOLE_FILTER_SEQ_MAX ||
			strchr("mABCDEFGHfdKJ", s[i]) == NULL || s[i] == '\0') {
			return 0;
		}
		if (s[i] == 'J' && !(i == 2 || (i == 3 && s[2] >= '0' && s[2] <= '2'))) {
			return 0;
		}
		return i + 1;
	}
	// UTF-8 of U+00A0 and above, strictly.
	uint32_t cp;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0xa0, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return n;
}

static void check_output(const char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)out;
	for (size_t at = 0; at < len;) {
		size_t n = item_len(s + at, len - at);
		FUZZ_CHECK(n > 0, "the output holds only text and whitelisted sequences");
		at += n;
	}
	static const char *const strings[] = {"\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX"};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		FUZZ_CHECK(memmem(out, len, strings[i], 2) == NULL, "no string is opened");
	}
}

static size_t filter_all(const uint8_t *data, size_t size, char *out)
{
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	size_t n = console_filter_feed(&filter, data, size, out);
	FUZZ_CHECK(n <= CONSOLE_FILTER_OUT_MAX(size), "output within the bound");
	console_filter_finish(&filter);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	unsigned split_seed = data[0];
	data++;
	size--;

	char *whole = malloc(CONSOLE_FILTER_OUT_MAX(size));
	char *pieces = malloc(CONSOLE_FILTER_OUT_MAX(size));
	char *again = malloc(CONSOLE_FILTER_OUT_MAX(size));
	FUZZ_CHECK(whole && pieces && again, "allocation");

	size_t whole_len = filter_all(data, size, whole);
	check_output(whole, whole_len);

	// The same input in pieces of 1..8 bytes, sizes taken from the seed.
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	size_t pieces_len = 0;
	for (size_t at = 0, i = 0; at < size; i++) {
		size_t chunk = ((split_seed >> (i % 8)) & 7) + 1;
		if (chunk > size - at) {
			chunk = size - at;
		}
		size_t n = console_filter_feed(&filter, data + at, chunk, pieces + pieces_len);
		FUZZ_CHECK(n <= CONSOLE_FILTER_OUT_MAX(chunk), "output within the bound");
		pieces_len += n;
		at += chunk;
	}
	console_filter_finish(&filter);
	FUZZ_CHECK(pieces_len == whole_len && memcmp(pieces, whole, whole_len) == 0,
		"pieces give the same output");

	size_t again_len = filter_all((const uint8_t *)whole, whole_len, again);
	FUZZ_CHECK(again_len == whole_len && memcmp(again, whole, whole_len) == 0,
		"filtering the output changes nothing");

	free(whole);
	free(pieces);
	free(again);
	return 0;
}
