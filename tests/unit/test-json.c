/*
 * Unit tests for tinctctl's JSON string literals: whatever bytes a name,
 * title or path holds, the output must parse and be valid UTF-8. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tinctctl/json.h"

static void expect(const char *input, const char *want, const char *what)
{
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	json_write_string(out, input);
	fclose(out);
	is_str(got, want, "%s", what);
	free(got);
}

int main(void)
{
	expect("red", "\"red\"", "plain ASCII unchanged");
	expect("", "\"\"", "empty string");
	expect(NULL, "null", "NULL is null");
	expect("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	expect("/tmp/x/wayland", "\"/tmp/x/wayland\"", "slash left alone");
	expect("a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\"", "short escapes");
	expect("\x01\x1b[31m\x1f\x7f", "\"\\u0001\\u001b[31m\\u001f\\u007f\"",
		"other controls and DEL as \\u");
	expect("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
		"\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"",
		"valid UTF-8 (2, 3, 4 bytes) kept");
	expect("a\xff"
	       "b",
		"\"a\\ufffdb\"", "stray byte replaced");
	expect("a\xc3", "\"a\\ufffd\"", "truncated sequence at the end replaced");
	expect("a\xe2\x9c"
	       "b",
		"\"a\\ufffd\\ufffdb\"", "truncated sequence in the middle replaced");
	expect("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong form rejected");
	expect("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "UTF-16 surrogate rejected");
	expect("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "beyond U+10FFFF rejected");
	expect("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF kept");
	return check_done();
}
