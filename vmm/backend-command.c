/*
 * The `command` backend runs any other VMM: the definition's command line
 * is split like a shell would (no shell runs) and its placeholders are
 * filled in. The VMM is expected to listen on {serial-socket}; without a
 * graceful method, stopping it starts with SIGTERM.
 */
#include "vmm/backend.h"

#include <stdio.h>
#include <string.h>
#include <wlr/util/log.h>

#include "vmm/argv.h"
#include "vmm/jail.h"

struct command_values {
	const struct tinct_vmm_launch *launch;
	char memory[16];
	char cpus[16];
	char tap_fd[16];
};

static const char *lookup(void *data, const char *name)
{
	struct command_values *values = data;
	const struct tinct_vmm_launch *launch = values->launch;
	const struct tinct_vm_def *def = launch->def;
	if (strcmp(name, "name") == 0) {
		return def->name;
	} else if (strcmp(name, "kernel") == 0) {
		return def->kernel ? def->kernel : "";
	} else if (strcmp(name, "initrd") == 0) {
		return def->initrd ? def->initrd : "";
	} else if (strcmp(name, "cmdline") == 0) {
		return launch->cmdline;
	} else if (strcmp(name, "memory") == 0) {
		return values->memory;
	} else if (strcmp(name, "cpus") == 0) {
		return values->cpus;
	} else if (strcmp(name, "serial-socket") == 0) {
		return launch->serial_socket;
	} else if (strcmp(name, "api-socket") == 0) {
		return launch->api_socket;
	} else if (strcmp(name, "runtime-dir") == 0) {
		return launch->runtime_dir;
	} else if (strcmp(name, "disk") == 0) {
		return def->disks_len > 0 ? def->disks[0].path : "";
	} else if (strcmp(name, "tap-fd") == 0) {
		return values->tap_fd;
	}
	return NULL;
}

static bool command_build_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = launch->def;
	struct command_values values = {.launch = launch};
	snprintf(values.memory, sizeof(values.memory), "%u", def->memory_mib);
	snprintf(values.cpus, sizeof(values.cpus), "%u", def->cpus);
	snprintf(values.tap_fd, sizeof(values.tap_fd), "%d", launch->tap_fd);
	const char *error = NULL;
	if (def->command == NULL || !argv_split(argv, def->command, lookup, &values, &error)) {
		wlr_log(WLR_ERROR, "VM %s: command: %s", def->name, error ? error : "missing");
		return false;
	}
	backend_push_extra_args(def, argv);
	return !argv->failed && argv->len > 0;
}

// Any VMM may use KVM when the host has it; everything else it reads is
// named on its command line (jail.h binds those files read-only).
static bool command_jail(const struct tinct_vmm_launch *launch, struct tinct_jail *jail)
{
	(void)launch;
	return jail_add(jail, TINCT_JAIL_DEVICE_TRY, "/dev/kvm");
}

const struct tinct_vmm_backend backend_command = {
	.name = "command",
	.default_binary = NULL,
	.serial_socket_name = "serial",
	.api_socket_name = "api",
	.serial_vmm_connects = false,
	// No graceful way: stopping starts with SIGTERM.
	.build_argv = command_build_argv,
	.jail = command_jail,
};
