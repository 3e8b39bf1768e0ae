/*
 * The one front-end to libinih, for tinct.ini (compositor/config.c) and VM
 * definitions (vmm/vm-def.c). It sets every libinih option on each parse,
 * so no caller depends on what another left behind, and it reads the file
 * itself, one whole line at a time, so that:
 *   - every entry comes with its line number (Debian's libinih is built
 *     without INI_HANDLER_LINENO);
 *   - a line longer than TINCT_INI_MAX_LINE is an error and nothing else:
 *     libinih would otherwise split it and parse its tail as a line of its
 *     own, a key nobody wrote;
 *   - a line that is neither `key = value`, `[section]`, a comment nor
 *     blank is an error with its line number, and parsing goes on.
 *
 * The options: `;` and `#` start a comment line, ` ;` an inline comment;
 * `key: value` is accepted like `key = value`; no continuation lines (an
 * indented line would silently glue itself to the previous key); a UTF-8
 * BOM is skipped. Not thread-safe: libinih's options are globals.
 *
 * Named ini_read rather than ini_parse*: libinih owns that prefix.
 */
#ifndef TINCT_COMMON_INI_H
#define TINCT_COMMON_INI_H

#include <stdbool.h>
#include <stdio.h>

/* Bytes a line may have, not counting its "\n" or "\r\n". */
#define TINCT_INI_MAX_LINE 4096

struct tinct_ini_handler {
	/*
	 * `key = value` on line (counted from 1) of section, "" before the
	 * first section header. Strings are valid during the call only.
	 */
	void (*entry)(
		void *data, int line, const char *section, const char *key, const char *value);
	/*
	 * A line that was not parsed, with why: "syntax error: expected ..." or
	 * "syntax error: line longer than 4096 bytes". Nothing of it reaches
	 * entry.
	 */
	void (*error)(void *data, int line, const char *message);
};

/*
 * Reads file to its end, calling handler with data. Returns false when the
 * file could not be read (errno says why); what was read was handed over.
 */
bool ini_read(FILE *file, const struct tinct_ini_handler *handler, void *data);

#endif
