/*
 * JSON string literals (json.h). Text is validated with the same strict
 * UTF-8 decoder that sanitises titles in the compositor.
 */
#include "tinctctl/json.h"

#include <stdint.h>

#include "common/utf8.h"

void json_write_string(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p++, out);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			switch (*p) {
			case '\n':
				fputs("\\n", out);
				break;
			case '\r':
				fputs("\\r", out);
				break;
			case '\t':
				fputs("\\t", out);
				break;
			case '\b':
				fputs("\\b", out);
				break;
			case '\f':
				fputs("\\f", out);
				break;
			default:
				fprintf(out, "\\u%04x", *p);
				break;
			}
			p++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(p, &cp);
		if (len == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		fwrite(p, 1, len, out);
		p += len;
	}
	fputc('"', out);
}
