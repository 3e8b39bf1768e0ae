/*
 * The KVM probe: decides whether QEMU VMs get hardware acceleration or
 * fall back to TCG.
 */
#ifndef TINCT_VMM_KVM_H
#define TINCT_VMM_KVM_H

#include <stdbool.h>
#include <wayland-server-core.h>

struct tinct_child;

enum tinct_kvm_result {
	TINCT_KVM_UNKNOWN, // not probed yet, or the probe is running
	TINCT_KVM_USABLE,
	TINCT_KVM_UNUSABLE, // QEMU falls back to TCG
};

/**
 * Whether KVM works here, found without blocking the event loop. Nested
 * KVM can hang in KVM_RUN, so the probe runs in children watched with
 * pidfds and bounded by a timer on `loop`: first a one-`hlt` guest (2 s),
 * then, given `qemu` and `kernel`, QEMU booting that kernel to its
 * "no root" panic (5 s), because broken nested KVM runs `hlt` fine and
 * hangs in the kernel's decompressor. A child that overruns is killed
 * and the result is TINCT_KVM_UNUSABLE.
 *
 * The first result is kept for the whole process: later probes, on any
 * loop, answer at once. Falling back to TCG logs one warning per process.
 * TINCT_KVM=0 or 1 in the environment decides without any probe.
 */
struct tinct_kvm_probe {
	struct {
		// enum tinct_kvm_result *: the probe finished (never emitted
		// from within kvm_probe_start)
		struct wl_signal done;
	} events;

	// Everything below is private to kvm.c.
	struct wl_event_loop *loop;
	enum tinct_kvm_result result;
	int stage; // enum probe_stage in kvm.c
	char *qemu;
	char *kernel;
	struct tinct_child *child; // the probe child, or NULL
	struct wl_event_source *timer;
	bool killed; // the child overran and got SIGKILL; it is only reaped
	bool reported_stuck;
};

struct tinct_kvm_probe *kvm_probe_create(struct wl_event_loop *loop);
/** Cancels a running probe (see kvm_probe_cancel). NULL is a no-op. */
void kvm_probe_destroy(struct tinct_kvm_probe *probe);
/**
 * Starts the probe unless it is running or has a result. Returns the
 * result when it is known at once (TINCT_KVM, an earlier probe, no
 * /dev/kvm, a failed fork), else TINCT_KVM_UNKNOWN: events.done follows.
 * `qemu` and `kernel` may be NULL (the `hlt` guest only).
 */
enum tinct_kvm_result kvm_probe_start(
	struct tinct_kvm_probe *probe, const char *qemu, const char *kernel);
/** true while probe children run and events.done is still to come. */
bool kvm_probe_running(struct tinct_kvm_probe *probe);
/**
 * Stops a running probe without a result (events.done is not emitted):
 * SIGKILL to its child, which is reaped. A vCPU stuck in the kernel can
 * keep the child from dying; this waits at most 1 s for it, then logs
 * once and leaves it. Also reaps a child that overran earlier.
 */
void kvm_probe_cancel(struct tinct_kvm_probe *probe);

#endif
