/*
 * Fuzzes the title sanitiser (compositor/title.h). The first byte is the
 * length limit, the rest the title. Properties: the result is valid UTF-8
 * with no control, bidi, zero-width or other forbidden code point; spaces
 * are single ASCII spaces, never leading, trailing or doubled; at most
 * max_chars code points; sanitising the result again changes nothing.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "compositor/title.h"

// Decodes one strictly valid UTF-8 code point; 0 when invalid.
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (n == 0 || s[0] > 0xf4) {
		return 0;
	}
	uint32_t v = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		return 0;
	}
	*cp = v;
	return n;
}

static bool shown(uint32_t cp)
{
	return !(cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0x061c || cp == 0x1680 ||
		 cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
		 (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff ||
		 (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f) ||
		 /* Default_Ignorable_Code_Point, written out independently of title.c. */
		 cp == 0x00ad || cp == 0x034f || (cp >= 0x115f && cp <= 0x1160) ||
		 (cp >= 0x17b4 && cp <= 0x17b5) || (cp >= 0x180b && cp <= 0x180f) || cp == 0x3164 ||
		 (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xffa0 ||
		 (cp >= 0x1bca0 && cp <= 0x1bca3) || (cp >= 0x1d173 && cp <= 0x1d17a) ||
		 (cp >= 0xe0000 && cp <= 0xe0fff));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	size_t max = data[0];
	char *input = malloc(size);
	FUZZ_CHECK(input != NULL, "allocation");
	memcpy(input, data + 1, size - 1);
	input[size - 1] = '\0';

	char *title = title_sanitize(input, max);
	FUZZ_CHECK(title != NULL, "title_sanitize");
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)title; *p != '\0';) {
		uint32_t cp;
		size_t n = decode(p, &cp);
		FUZZ_CHECK(n > 0, "valid UTF-8");
		FUZZ_CHECK(cp == ' ' || shown(cp), "no control, bidi, invisible or odd space");
		if (cp == ' ') {
			FUZZ_CHECK(p != (const unsigned char *)title && p[1] != '\0' && p[1] != ' ',
				"spaces are single and inside");
		}
		p += n;
		chars++;
	}
	FUZZ_CHECK(chars <= max, "at most max_chars code points");

	char *again = title_sanitize(title, max);
	FUZZ_CHECK(again != NULL && strcmp(again, title) == 0, "sanitising is idempotent");
	free(again);
	free(title);
	free(input);
	return 0;
}
