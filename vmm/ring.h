/*
 * A byte ring buffer for console output. Positions are absolute byte
 * counts since creation (64-bit, never wrap in practice), so each reader
 * keeps its own position and the ring can tell when a reader has fallen so
 * far behind that its bytes were overwritten.
 */
#ifndef TINCT_VMM_RING_H
#define TINCT_VMM_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tinct_ring {
	char *data;
	size_t capacity;
	uint64_t total; // bytes ever written
};

/** Allocates `capacity` bytes (at least 1). */
bool ring_init(struct tinct_ring *ring, size_t capacity);
void ring_finish(struct tinct_ring *ring);
/** Appends; when more than `capacity` bytes are held, the oldest are lost. */
void ring_write(struct tinct_ring *ring, const void *data, size_t len);
/** The oldest position still held. */
uint64_t ring_start(const struct tinct_ring *ring);
/**
 * Points `*data` at the contiguous bytes from `pos` on (up to the write
 * position or the physical end of the buffer) and returns how many there
 * are. `pos` is clamped into [start, total].
 */
size_t ring_peek(const struct tinct_ring *ring, uint64_t pos, const char **data);

#endif
