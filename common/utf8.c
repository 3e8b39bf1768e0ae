/*
 * Strict UTF-8 decoding (utf8.h), written by hand rather than with
 * mbrtowc(), whose behaviour depends on the locale.
 */
#include "common/utf8.h"

size_t utf8_decode(const unsigned char *s, uint32_t *out)
{
	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	size_t len;
	uint32_t cp, min;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		/* A NUL is not a continuation byte, so s is never read past its end. */
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	*out = cp;
	return len;
}
