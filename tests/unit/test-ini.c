/*
 * Unit tests for common/ini, the libinih front-end: entries with their line
 * numbers, every kind of bad line reported once with its number and never
 * turned into an entry, and libinih's options set on every parse whatever
 * they were before. TAP output.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/ini.h"

static char out[16384];

static void handle_entry(
	void *data, int line, const char *section, const char *key, const char *value)
{
	size_t len = strlen(out);
	snprintf(out + len, sizeof(out) - len, "%d [%s] %s=%s\n", line, section, key, value);
}

static void handle_error(void *data, int line, const char *message)
{
	size_t len = strlen(out);
	snprintf(out + len, sizeof(out) - len, "%d %s\n", line, message);
}

static const struct tinct_ini_handler handler = {
	.entry = handle_entry,
	.error = handle_error,
};

static const char *read_text(const char *text, size_t len)
{
	out[0] = '\0';
	FILE *file = fmemopen((void *)text, len, "r");
	bool read = ini_read(file, &handler, NULL);
	fclose(file);
	if (!read) {
		strcat(out, "read error\n");
	}
	return out;
}

static void expect(const char *text, const char *want, const char *what)
{
	is_str(read_text(text, strlen(text)), want, "%s", what);
}

#define SYNTAX "syntax error: expected \"key = value\" or \"[section]\""

int main(void)
{
	expect("; comment\n# comment\n\n[a]\nk = v\n  x: y  \n[b c]\nk = v ; note\n",
		"5 [a] k=v\n6 [a] x=y\n8 [b c] k=v\n",
		"entries, comments, key: value, inline comment");
	expect("k = v\n", "1 [] k=v\n", "an entry before any section");
	expect("\xef\xbb\xbf[a]\nk = v\n", "2 [a] k=v\n", "a UTF-8 BOM is skipped");
	expect("[a]\r\nk = v\r\n", "2 [a] k=v\n", "CRLF lines");
	expect("[a]\nk = v", "2 [a] k=v\n", "no newline at the end");
	expect("[a]\nnot an entry\nk = v\n", "2 " SYNTAX "\n3 [a] k=v\n", "a line without =");
	expect("[a\nk = v\n", "1 " SYNTAX "\n2 [] k=v\n", "an unclosed section header");
	expect("[a]\nk ; = v\nj = w\n", "2 " SYNTAX "\n3 [a] j=w\n",
		"an = after an inline comment does not count");
	expect("[a]\n  continued\n", "2 " SYNTAX "\n", "no continuation lines");
	expect("[a]\nk = v\n\tw = x\n", "2 [a] k=v\n3 [a] w=x\n", "an indented entry is an entry");
	{
		static const char text[] = "[a]\nk = v\0w\nj = 1\n";
		is_str(read_text(text, sizeof(text) - 1),
			"2 syntax error: NUL byte in the line\n3 [a] j=1\n", "a NUL byte");
	}

	char *text = malloc(3 * TINCT_INI_MAX_LINE);
	strcpy(text, "[a]\nk = ");
	size_t fill = TINCT_INI_MAX_LINE - 4;
	memset(text + 8, 'x', fill);
	strcpy(text + 8 + fill, "\nj = 1\n");
	read_text(text, strlen(text));
	ok(strncmp(out, "2 [a] k=xxx", 11) == 0 && strlen(out) == 8 + fill + 1 + 10 &&
			strcmp(out + 8 + fill + 1, "3 [a] j=1\n") == 0,
		"a line of TINCT_INI_MAX_LINE bytes is one entry");

	memset(text + 8, 'x', fill + 1);
	strcpy(text + 8 + fill + 1, "\nj = 1\n");
	expect(text, "2 syntax error: line longer than 4096 bytes\n3 [a] j=1\n",
		"one byte more is an error, and only one");

	memset(text + 8, 'x', 2 * TINCT_INI_MAX_LINE);
	strcpy(text + 8 + 2 * TINCT_INI_MAX_LINE, "j = 1\n");
	expect(text, "2 syntax error: line longer than 4096 bytes\n",
		"the tail of a long line is never an entry");
	free(text);

	/* What another parse may have left behind. */
	ini_max_line = 20;
	ini_allow_multiline = true;
	ini_stop_on_first_error = true;
	expect("[a]\nkey = a value longer than twenty bytes\n  more\nj = 1\n",
		"2 [a] key=a value longer than twenty bytes\n3 " SYNTAX "\n4 [a] j=1\n",
		"libinih's options are set on every parse");
	return check_done();
}
