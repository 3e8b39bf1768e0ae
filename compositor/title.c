/*
 * Title sanitising: the strict UTF-8 decoder of common/utf8.h, which
 * rejects overlong forms, surrogates and out-of-range code points, and a
 * list of code points that must never reach a title bar (they could
 * reorder, hide or fake text): controls, Unicode's whole
 * Default_Ignorable_Code_Point class, interlinear annotation, noncharacters.
 */
#include "compositor/title.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

static size_t utf8_encode(uint32_t cp, char *out)
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

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
	       cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/*
 * Unicode's Default_Ignorable_Code_Point class: characters that render as
 * nothing (or as a filler), so a title could hide text or fake a name with
 * them. Taken from Unicode 15.0.0's DerivedCoreProperties.txt (Debian's
 * unicode-data 15.0.0-1); the reserved code points of the class are in it
 * too, so characters later assigned there stay invisible. Sorted.
 */
static const uint32_t default_ignorable[][2] = {
	{0x00ad, 0x00ad}, // soft hyphen
	{0x034f, 0x034f}, // combining grapheme joiner
	{0x061c, 0x061c}, // Arabic letter mark
	{0x115f, 0x1160}, // Hangul fillers
	{0x17b4, 0x17b5}, // Khmer inherent vowels
	{0x180b, 0x180f}, // Mongolian variation selectors, vowel separator
	{0x200b, 0x200f}, // zero-width, joiners, LRM, RLM
	{0x202a, 0x202e}, // bidi embeddings and overrides
	{0x2060, 0x206f}, // word joiner, invisible operators, isolates
	{0x3164, 0x3164}, // Hangul filler
	{0xfe00, 0xfe0f}, // variation selectors
	{0xfeff, 0xfeff}, // zero-width no-break space
	{0xffa0, 0xffa0}, // halfwidth Hangul filler
	{0xfff0, 0xfff8}, // reserved
	{0x1bca0, 0x1bca3}, // shorthand format controls
	{0x1d173, 0x1d17a}, // musical symbol format controls
	{0xe0000, 0xe0fff}, // tags, variation selectors 17..256, reserved
};

static bool is_default_ignorable(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(default_ignorable) / sizeof(default_ignorable[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < default_ignorable[mid][0]) {
			hi = mid;
		} else if (cp > default_ignorable[mid][1]) {
			lo = mid + 1;
		} else {
			return true;
		}
	}
	return false;
}

/* Code points that could hide, reorder or fake what the user reads. */
static bool is_forbidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || // C0, DEL, C1 controls
	       is_default_ignorable(cp) ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || // interlinear annotation
	       (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff;
}

char *title_sanitize(const char *untrusted_title, size_t max_chars)
{
	const unsigned char *in = (const unsigned char *)(untrusted_title ? untrusted_title : "");
	size_t in_len = strlen((const char *)in);
	/* Every kept code point is at most as long as its input; plus "…". */
	size_t cap = in_len < max_chars * 4 ? in_len : max_chars * 4;
	char *out = malloc(cap + 4);
	if (out == NULL) {
		return NULL;
	}
	size_t len = 0, chars = 0;
	bool pending_space = false, truncated = false;
	while (*in != '\0') {
		uint32_t cp;
		size_t n = utf8_decode(in, &cp);
		if (n == 0) {
			in++; /* skip one byte of garbage and resynchronise */
			continue;
		}
		in += n;
		if (is_space(cp)) {
			pending_space = chars > 0;
			continue;
		}
		if (is_forbidden(cp)) {
			continue;
		}
		size_t need = pending_space ? 2 : 1;
		if (chars + need > max_chars) {
			truncated = true;
			break;
		}
		if (pending_space) {
			out[len++] = ' ';
			chars++;
			pending_space = false;
		}
		char buf[4];
		size_t m = utf8_encode(cp, buf);
		if (len + m > cap) {
			truncated = true;
			break;
		}
		memcpy(out + len, buf, m);
		len += m;
		chars++;
	}
	if (truncated && max_chars > 0) {
		/* Make room for the ellipsis within max_chars. */
		while (len > 0 && chars >= max_chars) {
			do {
				len--;
			} while (len > 0 && ((unsigned char)out[len] & 0xc0) == 0x80);
			chars--;
		}
		len += utf8_encode(0x2026, out + len);
	}
	out[len] = '\0';
	return out;
}
