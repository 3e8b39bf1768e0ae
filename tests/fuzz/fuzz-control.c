/*
 * Fuzzes the guest control channel's parser (vmm/control.h) with what a
 * hostile guest could send. The first byte splits the input into chunks
 * of that size, as reads would. Properties: every message handed on is
 * valid (application index and status in range, error text printable and
 * terminated), formatting it again and parsing that gives the same
 * message, and the parser never holds more than a line's bytes.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/control.h"
#include "fuzz.h"

static size_t messages;

static void check_msg(void *data, const struct tinct_control_msg *msg)
{
	messages++;
	FUZZ_CHECK(msg->app <= TINCT_CONTROL_MAX_APP, "application index in range");
	FUZZ_CHECK(msg->status >= 0 && msg->status <= 255, "status in range");
	size_t n = strnlen(msg->text, sizeof(msg->text));
	FUZZ_CHECK(n < sizeof(msg->text), "text is terminated");
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(msg->text[i] >= 0x20 && msg->text[i] < 0x7f, "text is printable");
	}
	char line[TINCT_CONTROL_MAX_LINE * 2];
	int len = 0;
	switch (msg->kind) {
	case TINCT_CONTROL_READY:
		len = snprintf(line, sizeof(line), "ready");
		break;
	case TINCT_CONTROL_OK:
		len = snprintf(line, sizeof(line), "ok %u", msg->app);
		break;
	case TINCT_CONTROL_EXIT:
		len = snprintf(line, sizeof(line), "exit %u %d", msg->app, msg->status);
		break;
	case TINCT_CONTROL_ERROR:
		len = snprintf(
			line, sizeof(line), "error %u%s%s", msg->app, n > 0 ? " " : "", msg->text);
		break;
	}
	struct tinct_control_msg again;
	FUZZ_CHECK(control_parse_line(line, (size_t)len, &again), "a message formats back");
	FUZZ_CHECK(again.kind == msg->kind && again.app == msg->app &&
			   again.status == msg->status && strcmp(again.text, msg->text) == 0,
		"the same message parses back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	size_t chunk = data[0] ? data[0] : 1;
	data++;
	size--;
	struct tinct_control_parser parser = {0};
	messages = 0;
	size_t lines = 0;
	for (size_t i = 0; i < size; i++) {
		lines += data[i] == '\n';
	}
	size_t rejected = 0;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		rejected +=
			control_parser_feed(&parser, (const char *)data + off, n, check_msg, NULL);
		FUZZ_CHECK(parser.len < sizeof(parser.line), "the parser holds at most a line");
	}
	FUZZ_CHECK(messages <= lines, "no more messages than lines");
	(void)rejected;
	return 0;
}
