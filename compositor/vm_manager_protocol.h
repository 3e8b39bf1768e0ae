/*
 * tinct-vm-manager-unstable-v1, the server side: host clients (tinctctl,
 * panels, scripts) list the VMs and follow their state, start, stop and
 * kill them, and list the windows with the VM each belongs to. The global
 * is privileged: VM clients never see it.
 */
#ifndef TINCT_VM_MANAGER_PROTOCOL_H
#define TINCT_VM_MANAGER_PROTOCOL_H

struct tinct_server;
struct tinct_vm_manager_protocol;

/*
 * Creates the global for server->vms (which must exist). Returns NULL on
 * failure (logged).
 */
struct tinct_vm_manager_protocol *vm_manager_protocol_create(struct tinct_server *server);
/*
 * Removes the global and detaches every client object from the server;
 * those objects stay inert until their clients go. NULL is a no-op.
 */
void vm_manager_protocol_destroy(struct tinct_vm_manager_protocol *protocol);

#endif
