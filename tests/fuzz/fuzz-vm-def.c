/*
 * Fuzzes the VM definition parser (vmm/vm-def.h, vm_def_parse) with the
 * input as the file. Properties: a definition comes back exactly when no
 * error was reported; every message names the file; a definition's values
 * are within the documented ranges and its paths are absolute; an
 * extra-args or command value still splits as the backends split it.
 */
#include <stdbool.h>
#include <string.h>

#include "vmm/argv.h"
#include "fuzz.h"
#include "vmm/vm-def.h"

#define PATH "fuzz/vms/fuzz.ini"

static void report(void *data, const char *message)
{
	int *errors = data;
	(*errors)++;
	FUZZ_CHECK(strncmp(message, PATH ":", strlen(PATH ":")) == 0, "messages name the file");
}

static const char *lookup(void *data, const char *name)
{
	return "v";
}

// As the backends split them: placeholders in command, none in extra-args.
static bool splits(const char *line, bool placeholders)
{
	struct tinct_argv argv;
	argv_init(&argv);
	const char *error;
	bool ok = argv_split(&argv, line, placeholders ? lookup : NULL, NULL, &error);
	argv_finish(&argv);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *file = fmemopen((void *)data, size, "r");
	if (file == NULL) {
		return 0; // fmemopen refuses size 0 on some libcs
	}
	int errors = 0;
	struct tinct_vm_def *def = vm_def_parse(file, PATH, "fuzz", "/images", report, &errors);
	fclose(file);
	FUZZ_CHECK((def != NULL) == (errors == 0), "a definition exactly when no error");
	if (def == NULL) {
		return 0;
	}
	FUZZ_CHECK(strcmp(def->name, "fuzz") == 0, "the name given");
	FUZZ_CHECK(def->colour <= 0xffffff, "colour is 0xrrggbb");
	FUZZ_CHECK(def->memory_mib >= 16 && def->memory_mib <= 1048576, "memory in range");
	FUZZ_CHECK(def->cpus >= 1 && def->cpus <= 64, "cpus in range");
	FUZZ_CHECK(def->stop_timeout_ms <= 3600 * 1000, "stop-timeout in range");
	FUZZ_CHECK(def->console_buffer >= 4096 && def->console_buffer <= 64 * 1024 * 1024,
		"console-buffer in range");
	FUZZ_CHECK(def->wayland_ports >= 1 && def->wayland_ports <= TINCT_WAYPIPE_MAX_PORTS,
		"ports in range");
	FUZZ_CHECK(def->guest_runs_len <= def->wayland_ports, "a port per guest command");
	FUZZ_CHECK(def->kernel == NULL || def->kernel[0] == '/', "kernel path absolute");
	FUZZ_CHECK(def->initrd == NULL || def->initrd[0] == '/', "initrd path absolute");
	for (size_t i = 0; i < def->disks_len; i++) {
		FUZZ_CHECK(def->disks[i].path != NULL && def->disks[i].path[0] == '/',
			"disk paths absolute");
	}
	FUZZ_CHECK(def->vmm != TINCT_VMM_COMMAND || def->command != NULL,
		"vmm = command has a command");
	FUZZ_CHECK(def->command == NULL || splits(def->command, true), "command splits");
	FUZZ_CHECK(def->extra_args == NULL || splits(def->extra_args, false), "extra-args splits");
	vm_def_destroy(def);
	return 0;
}
