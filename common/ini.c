/*
 * libinih behind one front-end (see ini.h). The reader hands libinih one
 * whole line per call, or an empty line in place of one that is already
 * reported, so libinih's line count stays the file's and nothing of a bad
 * line becomes an entry.
 */
#include "common/ini.h"

#include <ctype.h>
#include <ini.h> // libinih's: common/ has no implicit include directory
#include <string.h>

/* libinih wants room for "\r\n" and the NUL after the longest line. */
#define BUFFER_SIZE (TINCT_INI_MAX_LINE + 3)

static const char syntax_message[] = "syntax error: expected \"key = value\" or \"[section]\"";

struct reader {
	FILE *file;
	const struct tinct_ini_handler *handler;
	void *data;
	int line; // of the line handed to libinih last
	int last_error_line;
	char buffer[BUFFER_SIZE];
};

static void report(struct reader *reader, const char *message)
{
	reader->last_error_line = reader->line;
	if (reader->handler->error != NULL) {
		reader->handler->error(reader->data, reader->line, message);
	}
}

/*
 * libinih's own search: the first of chars, or `;` after a blank (an inline
 * comment), whichever comes first; '\0' when neither is there.
 */
static char find_chars(const char *s, const char *chars)
{
	bool after_space = false;
	for (; *s != '\0'; s++) {
		if (strchr(chars, *s) != NULL || (after_space && *s == ';')) {
			return *s;
		}
		after_space = isspace((unsigned char)*s);
	}
	return '\0';
}

/* Whether libinih takes line as a comment, section header, entry or blank. */
static bool line_is_valid(const char *line)
{
	while (isspace((unsigned char)*line)) {
		line++;
	}
	if (*line == '\0' || *line == ';' || *line == '#') {
		return true;
	}
	if (*line == '[') {
		return find_chars(line + 1, "]") == ']';
	}
	char c = find_chars(line, "=:");
	return c == '=' || c == ':';
}

/*
 * Reads the next physical line into reader->buffer without its "\n".
 * Returns its length, or -1 at the end of the file (or on a read error).
 * A line too long is read to its end and reported; *bad is set for it and
 * for any other line not to be handed on.
 */
static long read_physical_line(struct reader *reader, bool *bad)
{
	/* One byte more than allowed, to find "\r\n" after a full line. */
	const size_t keep = TINCT_INI_MAX_LINE + 1;
	size_t len = 0;
	bool any = false, too_long = false, nul = false;
	int c;
	while ((c = getc(reader->file)) != EOF) {
		any = true;
		if (c == '\n') {
			break;
		}
		nul = nul || c == '\0';
		if (len < keep) {
			reader->buffer[len++] = (char)c;
		} else {
			too_long = true;
		}
	}
	if (!any) {
		return -1;
	}
	reader->line++;
	if (len == keep && reader->buffer[len - 1] != '\r') {
		too_long = true;
	}
	reader->buffer[len] = '\0';
	*bad = true;
	if (too_long) {
		char message[64];
		snprintf(message, sizeof(message), "syntax error: line longer than %d bytes",
			TINCT_INI_MAX_LINE);
		report(reader, message);
	} else if (nul) {
		report(reader, "syntax error: NUL byte in the line");
	} else {
		const char *text = reader->buffer;
		if (reader->line == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0) {
			text += 3; // UTF-8 BOM, which libinih skips too
		}
		if (line_is_valid(text)) {
			*bad = false;
		} else {
			report(reader, syntax_message);
		}
	}
	return (long)len;
}

static char *handle_read(char *str, int num, void *stream)
{
	struct reader *reader = stream;
	bool bad = false;
	long len = read_physical_line(reader, &bad);
	if (len < 0) {
		return NULL;
	}
	if (bad || len + 2 > num) {
		/* An empty line keeps libinih's line count right. */
		len = 0;
	} else {
		memcpy(str, reader->buffer, (size_t)len);
	}
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int handle_entry(void *user, const char *section, const char *name, const char *value)
{
	struct reader *reader = user;
	if (name != NULL && value != NULL) {
		reader->handler->entry(reader->data, reader->line, section, name, value);
	}
	/* Callers count their own errors; libinih goes on either way. */
	return 1;
}

/* Every option libinih has, on every parse: whoever parsed last set them. */
static void set_options(void)
{
	static char start_comment_prefixes[] = ";#";
	static char inline_comment_prefixes[] = ";";
	ini_allow_multiline = false;
	ini_allow_bom = true;
	ini_start_comment_prefixes = start_comment_prefixes;
	ini_allow_inline_comments = true;
	ini_inline_comment_prefixes = inline_comment_prefixes;
	ini_use_stack = true;
	ini_max_line = BUFFER_SIZE;
	ini_allow_realloc = false;
	ini_initial_alloc = BUFFER_SIZE;
	ini_stop_on_first_error = false;
	ini_allow_no_value = false;
}

bool ini_read(FILE *file, const struct tinct_ini_handler *handler, void *data)
{
	struct reader reader = {
		.file = file,
		.handler = handler,
		.data = data,
	};
	set_options();
	int ret = ini_parse_stream(handle_read, &reader, handle_entry, &reader);
	if (ret > 0 && ret != reader.last_error_line) {
		/* A line libinih refused that line_is_valid let through. */
		reader.line = ret;
		report(&reader, syntax_message);
	}
	return ret >= 0 && !ferror(file);
}
