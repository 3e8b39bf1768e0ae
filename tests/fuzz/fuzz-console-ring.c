/*
 * Fuzzes the console ring (vmm/ring.h) against a model that keeps every
 * byte ever written. The input is a capacity byte and then operations:
 * write the next N bytes, or peek from a position relative to the start.
 * Properties: ring_start is max(0, total - capacity); a peek returns the
 * model's bytes at the clamped position, at least one byte whenever one is
 * held, never past the write position; reading from start to the end
 * returns exactly the last min(total, capacity) bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "vmm/ring.h"

static void check_peek(
	const struct tinct_ring *ring, const uint8_t *model, uint64_t total, uint64_t pos)
{
	uint64_t start = total > ring->capacity ? total - ring->capacity : 0;
	uint64_t clamped = pos < start ? start : pos;
	const char *data = NULL;
	size_t n = ring_peek(ring, pos, &data);
	if (clamped >= total) {
		FUZZ_CHECK(n == 0, "nothing to peek at or past the write position");
		return;
	}
	FUZZ_CHECK(n > 0 && clamped + n <= total, "a peek returns held bytes only");
	FUZZ_CHECK(memcmp(data, model + clamped, n) == 0, "a peek returns the bytes written");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	size_t capacity = data[0] % 64; // 0 means 1
	struct tinct_ring ring;
	FUZZ_CHECK(ring_init(&ring, capacity), "ring_init");
	uint8_t *model = malloc(size + 1);
	FUZZ_CHECK(model != NULL, "allocation");
	uint64_t total = 0;

	for (size_t at = 1; at < size;) {
		uint8_t op = data[at++];
		if (op & 0x80) {
			// Peek at start + (op & 0x7f) - 16: before, inside or after.
			uint64_t start = ring_start(&ring);
			int64_t delta = (int64_t)(op & 0x7f) - 16;
			uint64_t pos = delta < 0 && (uint64_t)-delta > start ? 0 : start + delta;
			check_peek(&ring, model, total, pos);
			continue;
		}
		size_t len = op;
		if (len > size - at) {
			len = size - at;
		}
		ring_write(&ring, data + at, len);
		memcpy(model + total, data + at, len);
		total += len;
		at += len;
		FUZZ_CHECK(ring.total == total, "total counts every byte");
		uint64_t want_start = total > ring.capacity ? total - ring.capacity : 0;
		FUZZ_CHECK(ring_start(&ring) == want_start, "start is the oldest byte held");
	}

	// Read everything from the start, as a newly attached client does.
	uint64_t pos = ring_start(&ring);
	const char *chunk;
	size_t n;
	while ((n = ring_peek(&ring, pos, &chunk)) > 0) {
		FUZZ_CHECK(memcmp(chunk, model + pos, n) == 0, "the backlog is what was written");
		pos += n;
	}
	FUZZ_CHECK(pos == total, "the backlog reaches the write position");

	ring_finish(&ring);
	free(model);
	return 0;
}
