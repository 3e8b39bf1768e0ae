#!/bin/sh
# Boots the shared guest with crosvm or cloud-hypervisor ($1) through
# `tinct-vm run -c`. Neither is packaged in Debian 12, so this skips
# unless the binary is installed.
set -u
vmm=$1
binary=$vmm
[ "$vmm" = crosvm ] || binary=cloud-hypervisor
if ! command -v "$binary" >/dev/null; then
	echo "SKIP: $binary is not installed (not packaged in Debian 12)"
	exit 77
fi
if [ "$vmm" = cloud-hypervisor ] && ! command -v ch-remote >/dev/null; then
	echo "SKIP: ch-remote is not installed"
	exit 77
fi
if [ ! -r /dev/kvm ]; then
	echo "SKIP: $vmm needs /dev/kvm"
	exit 77
fi
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
if [ ! -r "$images/vmlinuz" ] || [ ! -r "$images/initrd.img" ]; then
	echo "SKIP: guest images missing in $images (make images)"
	exit 77
fi
XDG_RUNTIME_DIR=$(mktemp -d)
export XDG_RUNTIME_DIR
trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
out=$("$TINCT_BUILD_ROOT/vmm/tinct-vm" run --timeout 60 --vmm "$vmm" \
	--kernel "$images/vmlinuz" --initrd "$images/initrd.img" -c 'echo hello; exit 4')
status=$?
echo "output: $out, status: $status"
[ "$status" -eq 4 ] && [ "$out" = hello ]
