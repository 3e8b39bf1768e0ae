#!/bin/bash
# Build tinct's demo guest images from Debian packages only:
#   OUTDIR/vmlinuz              Debian's linux-image-amd64 kernel
#   OUTDIR/initrd.img           base initramfs: static busybox, /init, modules
#   OUTDIR/appvm-lynx.img       base + Wayland layer + lynx + /srv/index.html
#   OUTDIR/appvm-catgirl.img    base + Wayland layer + catgirl + CA bundle
#   OUTDIR/netvm.img            base + router layer: dnsmasq, nftables, the
#                               netfilter modules and netvm/ (no Wayland)
# The Wayland layer: waypipe, foot, socat, DejaVu Sans Mono and a font cache
# built here with fc-cache, so guest applications show windows on tinct.
# Usage: build.sh OUTDIR. Packages are fetched with apt-get download into
# OUTDIR/debs and unpacked with dpkg-deb -x; nothing is installed on the host.
# A run whose inputs (this directory, package versions) have not changed does
# nothing. The same inputs give byte-identical images (SOURCE_DATE_EPOCH).
# See README.md for the guest contract.

# Package and module lists are split into words on purpose; none of them
# holds glob characters.
# shellcheck disable=SC2086
set -eu

# Guest kernel modules to load at boot; their dependencies come from
# modules.dep. virtio_pci finds the devices, button+evdev carry the ACPI
# power button to busybox acpid, qemu_fw_cfg shows QEMU's fw_cfg files
# (the VM generation ID among them) in /sys/firmware/qemu_fw_cfg.
MODULES="virtio_pci virtio_console virtio_net virtio_blk virtio_rng
	vmw_vsock_virtio_transport button evdev pvpanic_pci qemu_fw_cfg"

# The network VM's netfilter modules (NAT, connection tracking, nftables;
# crc32c_generic is libcrc32c's softdep, which modules.dep does not list):
# only in its layer, next to MODULES, with a modules.dep for both.
NETVM_MODULES="crc32c_generic nf_tables nft_chain_nat nft_masq nft_ct"

# The network VM's router: DHCP and DNS (dnsmasq), NAT and isolation between
# app VMs (nft).
NETVM_PKGS="dnsmasq-base,nftables"

# Dependencies that only serve dpkg maintainer scripts, which never run in
# the guest: not followed when resolving an application's closure.
# The ffmpeg libraries serve only waypipe's --video, which tinct never
# uses; their closure is 148 MB, so the guest gets ABI stubs instead
# (stub_libs below).
SKIP_DEPS="debconf debconf-2.0 dpkg perl-base install-info
	init-system-helpers adduser ucf lsb-base sensible-utils passwd
	libavcodec59 libavcodec-extra59 libavutil57 libswscale6"

# Essential packages that applications use without declaring them:
# terminfo (ncurses-base) and the C.UTF-8 locale (libc-bin).
APP_EXTRAS="ncurses-base,libc-bin"

# What every application VM gets to put windows on tinct: waypipe server,
# foot, a monospace font (fonts-dejavu-core via fontconfig-config) and
# socat to bridge waypipe's socket to the virtio-serial port or vsock.
WAYLAND_PKGS="waypipe,foot,socat,fonts-dejavu-core"

# Packages unpacked without their dependencies (data only).
CATGIRL_DATA="ca-certificates"

# Trimmed from application layers: documentation, translations and
# gconv modules (glibc keeps UTF-8 and Latin-1 built in).
TRIM="usr/share/doc usr/share/man usr/share/info usr/share/locale
	usr/share/lintian usr/share/bug usr/share/menu usr/share/doc-base
	usr/share/bash-completion usr/share/applications usr/share/pixmaps
	usr/share/common-licenses usr/lib/x86_64-linux-gnu/gconv
	usr/share/foot/themes usr/share/icons usr/share/zsh usr/share/fish"

die() {
	echo "build.sh: error: $*" >&2
	exit 1
}

info() {
	echo "build.sh: $*"
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

for tool in apt-get apt-cache dpkg-deb cpio gzip sha256sum sort find cc \
	readelf fc-cache; do
	command -v "$tool" >/dev/null || die "$tool not found (Debian host needed)"
done

HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
DEBS=$OUT/debs
WORK=$OUT/work
# Debian 12 release day unless the caller pins another time.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1686355200}
export LC_ALL=C
# apt-get download as root runs its fetcher as _apt, which cannot write
# to a private cache directory; this is a download only.
APT_OPTS="-o APT::Sandbox::User=root -q"

# ---------------------------------------------------------------------------
# Package resolution

# pkg_info PKG...: "name version arch" of each real package's candidate.
pkg_info() {
	apt-cache show --no-all-versions "$@" 2>/dev/null | awk '
		/^Package: / { p = $2 }
		/^Version: / { v = $2 }
		/^Architecture: / { a = $2 }
		/^$/ { if (p != "") print p, v, a; p = "" }
		END { if (p != "") print p, v, a }' | sort -u
}

# closures "NAME:ROOT,ROOT,..." ...: for each NAME, the names of ROOTs and
# their recursive Depends/Pre-Depends as "NAME pkg" lines. Follows the first
# alternative of each dependency and, for a virtual package, its first
# provider; skips SKIP_DEPS. One apt-cache call: each costs 0.5 s here.
closures() {
	local roots
	roots=$(printf '%s\n' "$@" | sed 's/^[^:]*://' | tr ',' '\n' | sort -u)
	apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances $roots \
		2>/dev/null | awk -v sets="$*" -v skip="$SKIP_DEPS" '
		# "pkg" or "<virtual>" starts a block, "  Depends: x" or
		# " |Depends: x" (more alternatives follow) lists a dependency,
		# deeper lines are the providers of a virtual dependency.
		/^[^ ]/ { cur = $1; gsub(/[<>]/, "", cur); alt = 0; next }
		/^ [ |](Pre)?Depends: / {
			dep = $2; gsub(/[<>]/, "", dep)
			if (!alt) { n[cur]++; deps[cur, n[cur]] = dep }
			alt = ($0 ~ /^ \|/)
			last = dep
			next
		}
		/^    [^ ]/ { if (!(last in provider)) provider[last] = $1; next }
		END {
			nskip = split(skip, s, /[ \t\n]+/)
			for (i = 1; i <= nskip; i++) skipped[s[i]] = 1
			nsets = split(sets, set, " ")
			for (i = 1; i <= nsets; i++) {
				name = set[i]; sub(/:.*/, "", name)
				list = set[i]; sub(/^[^:]*:/, "", list)
				delete seen; top = 0
				nr = split(list, r, ",")
				for (j = 1; j <= nr; j++) stack[++top] = r[j]
				while (top > 0) {
					p = stack[top--]
					if (p in provider) p = provider[p]
					if (p in seen || p in skipped) continue
					seen[p] = 1
					print name, p
					for (k = 1; k <= n[p]; k++) stack[++top] = deps[p, k]
				}
			}
		}' | sort -u
}

# deb_file "name version arch": the file name apt-get download gives it.
deb_file() {
	set -- $1
	echo "${1}_${2//:/%3a}_${3}.deb"
}

# fetch LIST: download the packages of LIST missing from the cache.
fetch() {
	local want="" line
	while read -r line; do
		[ -n "$line" ] || continue
		[ -f "$DEBS/$(deb_file "$line")" ] && continue
		set -- $line
		want="$want $1=$2"
	done <<EOF
$1
EOF
	[ -n "$want" ] || return 0
	want=$(printf '%s\n' $want | sort -u | tr '\n' ' ')
	info "downloading $want"
	(cd "$DEBS" && apt-get $APT_OPTS download $want) ||
		die "apt-get download failed"
}

# unpack LIST DIR: extract every package of LIST into DIR.
unpack() {
	local line
	while read -r line; do
		[ -n "$line" ] || continue
		dpkg-deb -x "$DEBS/$(deb_file "$line")" "$2"
	done <<EOF
$1
EOF
}

# ---------------------------------------------------------------------------
# Archives

# dev_console_cpio: a newc archive holding /dev/console (char 5:1), written
# by hand so that building needs no root for mknod. The kernel opens it for
# /init's stdio before anything is mounted.
newc_entry() { # name mode nlink rdevmajor rdevminor
	local namesize=$((${#1} + 1)) pad
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$2" 0 0 "$3" "$SOURCE_DATE_EPOCH" 0 0 0 "$4" "$5" \
		"$namesize" 0
	printf '%s\0' "$1"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

dev_console_cpio() {
	newc_entry dev $((0040755)) 2 0 0
	newc_entry dev/console $((0020600)) 1 5 1
	newc_entry 'TRAILER!!!' 0 1 0 0
}

# make_cpio DIR: a reproducible newc archive of DIR on stdout.
make_cpio() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort |
		cpio --quiet -o -H newc --reproducible -R 0:0)
}

# install_file SRC DEST: copy with a normalised mode (git keeps only +x).
install_file() {
	mkdir -p "$(dirname "$2")"
	if [ -x "$1" ]; then
		install -m 0755 "$1" "$2"
	else
		install -m 0644 "$1" "$2"
	fi
}

# copy_tree SRC DEST: install every file under SRC into DEST.
copy_tree() {
	local f
	(cd "$1" && find . -type f | sort) | while read -r f; do
		install_file "$1/$f" "$2/$f"
	done
}

human() {
	awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'
}

report() {
	local f
	for f in vmlinuz initrd.img appvm-lynx.img appvm-catgirl.img netvm.img; do
		printf '  %-40s %10d bytes (%s)\n' "$OUT/$f" \
			"$(stat -c %s "$OUT/$f")" "$(human "$(stat -c %s "$OUT/$f")")"
	done
}

# ---------------------------------------------------------------------------
# Resolve inputs

# Resolving costs a few apt-cache runs (0.5 s each here): reuse the last
# result while apt's lists, sources, preferences and this script stay put.
RESOLVE_KEY=$( {
	sha256sum <"$0"
	stat -c '%n %s %Y' /var/lib/apt/lists/* /etc/apt/sources.list* \
		/etc/apt/sources.list.d/* /etc/apt/preferences* \
		/etc/apt/preferences.d/* 2>/dev/null || true
} | sha256sum | cut -d' ' -f1)
RESOLVED=$WORK/resolved
if [ -f "$RESOLVED" ] && [ "$(head -n1 "$RESOLVED")" = "$RESOLVE_KEY" ]; then
	info "package versions unchanged since the last run"
else
	info "resolving packages"
	KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
	SETS=$(
		closures "lynx:lynx,$APP_EXTRAS" "catgirl:catgirl,$APP_EXTRAS" \
			"wayland:$WAYLAND_PKGS" "netvm:$NETVM_PKGS"
		printf 'catgirl-data %s\n' $CATGIRL_DATA
	)
	[ -n "$SETS" ] || die "cannot resolve the application packages"
	# shellcheck disable=SC2046 # package names are single words
	INFO=$(pkg_info "$KPKG" busybox-static $(echo "$SETS" | cut -d' ' -f2))
	mkdir -p "$WORK"
	{
		echo "$RESOLVE_KEY"
		echo "$INFO" | awk -v k="$KPKG" '$1 == k { print "kernel", $0 }
			$1 == "busybox-static" { print "busybox", $0 }'
		echo "$SETS" | while read -r set pkg; do
			line=$(echo "$INFO" | awk -v p="$pkg" '$1 == p')
			[ -n "$line" ] || die "$pkg (for $set) has no candidate"
			echo "$set $line"
		done
	} >"$RESOLVED.tmp"
	mv "$RESOLVED.tmp" "$RESOLVED"
fi
# pkgs SET: the "name version arch" lines of SET.
pkgs() {
	awk -v s="$1" '$1 == s { print $2, $3, $4 }' "$RESOLVED"
}
KERNEL=$(pkgs kernel)
KPKG=${KERNEL%% *}
BUSYBOX=$(pkgs busybox)
LYNX=$(pkgs lynx)
CATGIRL=$(pkgs catgirl)
CATGIRL_DATA_PKGS=$(pkgs catgirl-data)
WAYLAND=$(pkgs wayland)
NETVM=$(pkgs netvm)
if [ -z "$KERNEL" ] || [ -z "$BUSYBOX" ] || [ -z "$LYNX" ] || [ -z "$WAYLAND" ] ||
	[ -z "$CATGIRL" ] || [ -z "$CATGIRL_DATA_PKGS" ] || [ -z "$NETVM" ]; then
	die "incomplete package resolution in $RESOLVED"
fi

STAMP=$( {
	printf '%s\n' "$SOURCE_DATE_EPOCH" "$MODULES" "$NETVM_MODULES" "$KERNEL" \
		"$BUSYBOX" "$LYNX" "$CATGIRL" "$CATGIRL_DATA_PKGS" "$WAYLAND" "$NETVM" \
		"$(cc --version | head -n1)" "$(fc-cache --version 2>&1)"
	(cd "$HERE" && find . -type f ! -name README.md | sort |
		while read -r f; do
			[ -x "$f" ] && echo "x $f" || echo "- $f"
			sha256sum <"$f"
		done)
} | sha256sum | cut -d' ' -f1)

if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ] &&
	[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] &&
	[ -f "$OUT/appvm-lynx.img" ] && [ -f "$OUT/appvm-catgirl.img" ] &&
	[ -f "$OUT/netvm.img" ]; then
	info "images are up to date"
	report
	exit 0
fi

mkdir -p "$DEBS" "$WORK"
rm -f "$OUT/.stamp"
fetch "$KERNEL
$BUSYBOX
$LYNX
$CATGIRL
$CATGIRL_DATA_PKGS
$WAYLAND
$NETVM"

# Drop cached packages no longer wanted (kernels are 70 MB each).
keep=$(printf '%s\n' "$KERNEL" "$BUSYBOX" "$LYNX" "$CATGIRL" \
	"$CATGIRL_DATA_PKGS" "$WAYLAND" "$NETVM" | sed '/^$/d' | while read -r line; do
	deb_file "$line"
done)
for deb in "$DEBS"/*.deb; do
	[ -e "$deb" ] || continue
	printf '%s\n' "$keep" | grep -qxF "${deb##*/}" || rm -f "$deb"
done

# ---------------------------------------------------------------------------
# Kernel and its module tree (depmod of 4000 modules is slow: cached)

KVER=${KPKG#linux-image-}
KDIR=$WORK/kernel-$(echo "$KERNEL" | cut -d' ' -f2)
if [ ! -f "$KDIR/.done" ]; then
	info "unpacking $KPKG"
	rm -rf "$WORK"/kernel-*
	unpack "$KERNEL" "$KDIR"
	[ -f "$KDIR/boot/vmlinuz-$KVER" ] || die "no vmlinuz-$KVER in $KPKG"
	BB_HOST=$WORK/busybox-host
	rm -rf "$BB_HOST"
	unpack "$BUSYBOX" "$BB_HOST"
	"$BB_HOST/bin/busybox" depmod -b "$KDIR" "$KVER"
	touch "$KDIR/.done"
fi
KMOD=$KDIR/lib/modules/$KVER

# ---------------------------------------------------------------------------
# Base initramfs

# install_modules ROOT MODULE...: the modules and everything modules.dep
# says they need, under ROOT/lib/modules, with a modules.dep of their own.
install_modules() {
	local root=$1 m line path f mods=""
	shift
	for m in "$@"; do
		line=$(awk -v m="$m" '{
			name = $1; sub(/:$/, "", name); sub(/.*\//, "", name)
			sub(/\.ko$/, "", name); gsub(/-/, "_", name)
			if (name == m) { sub(/:/, ""); print; exit } }' "$KMOD/modules.dep")
		if [ -z "$line" ]; then
			grep -q "/$m\.ko\$" "$KMOD/modules.builtin" ||
				die "kernel module $m not found in $KPKG"
			continue
		fi
		mods="$mods $line"
	done
	for path in $(printf '%s\n' $mods | sort -u); do
		install -D -m 0644 "$KMOD/$path" "$root/lib/modules/$KVER/$path"
	done
	cp "$KMOD/modules.order" "$KMOD/modules.builtin" "$root/lib/modules/$KVER/"
	"$BB" depmod -b "$root" "$KVER"
	# busybox depmod writes in directory order: sort for reproducibility.
	for f in modules.dep modules.alias modules.symbols; do
		[ -f "$root/lib/modules/$KVER/$f" ] &&
			sort -o "$root/lib/modules/$KVER/$f" "$root/lib/modules/$KVER/$f"
	done
	return 0
}

info "building base initramfs"
BASE=$WORK/base
rm -rf "$BASE" "$WORK/busybox"
mkdir -p "$BASE"
unpack "$BUSYBOX" "$WORK/busybox"
BB=$WORK/busybox/bin/busybox
[ -x "$BB" ] || die "busybox-static has no bin/busybox"

for d in bin sbin usr/bin usr/sbin etc/tinct dev proc sys tmp run root srv \
	var lib/modules; do
	mkdir -p "$BASE/$d"
done
chmod 0700 "$BASE/root"
chmod 1777 "$BASE/tmp"
ln -s ../run "$BASE/var/run"
ln -s ../tmp "$BASE/var/tmp"
install -m 0755 "$BB" "$BASE/bin/busybox"
"$BB" --list-full | sort | while read -r applet; do
	[ -e "$BASE/$applet" ] || ln -s /bin/busybox "$BASE/$applet"
done

install -m 0755 "$HERE/init" "$BASE/init"
install -m 0755 "$HERE/snapshot" "$BASE/sbin/tinct-snapshot"
for role in tinct-console tinct-shutdown tinct-uevent tinct-apps tinct-control tinct-app; do
	ln -s /init "$BASE/sbin/$role"
done
copy_tree "$HERE/rootfs" "$BASE"

# Modules: the wanted ones plus everything modules.dep says they need.
printf '%s\n' $MODULES >"$BASE/etc/tinct/modules"
install_modules "$BASE" $MODULES

{
	dev_console_cpio
	make_cpio "$BASE"
} | gzip -9 -n >"$OUT/initrd.img.tmp"
install -m 0644 "$KDIR/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp"

# ---------------------------------------------------------------------------
# Application layers: a second cpio.gz appended to the base one.

# stub_libs DIR: libavcodec.so.59, libavutil.so.57 and libswscale.so.6 as
# small stubs that define, with the right symbol versions, exactly what
# DIR's waypipe imports from them (it is linked with BIND_NOW, so every
# symbol must resolve at load). Each stub returns 0; waypipe calls none of
# them without --video, except av_log_set_level/callback, which may do
# nothing.
stub_libs() {
	local dir=$1 lib ver syms src=$WORK/stub
	local libdir=$dir/usr/lib/x86_64-linux-gnu
	rm -rf "$src"
	mkdir -p "$src"
	for lib in libavcodec.so.59:LIBAVCODEC_59 libavutil.so.57:LIBAVUTIL_57 \
		libswscale.so.6:LIBSWSCALE_6; do
		ver=${lib#*:}
		lib=${lib%%:*}
		syms=$(readelf --dyn-syms -W "$dir/usr/bin/waypipe" |
			awk -v v="@$ver" '$7 == "UND" && index($8, v) {
				sub(/@.*/, "", $8); print $8 }' | sort -u)
		[ -n "$syms" ] || die "waypipe imports nothing from $lib"
		printf 'void *%s(void) { return 0; }\n' $syms >"$src/$lib.c"
		{
			echo "$ver { global:"
			printf '%s;\n' $syms
			echo "local: *; };"
		} >"$src/$lib.map"
		cc -shared -fPIC -O2 -nostdlib -o "$libdir/$lib" \
			-Wl,-soname,"$lib" -Wl,--version-script="$src/$lib.map" \
			-Wl,--build-id=none "$src/$lib.c"
	done
}

# font_cache DIR: fontconfig's cache for DIR's fonts, as the guest will see
# them. Directory mtimes are what fontconfig checks a cache against, so
# they are pinned first (make_cpio pins them to the same time again).
font_cache() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	rm -rf "$1/var/cache/fontconfig"
	fc-cache --sysroot="$1" --system-only --really-force >/dev/null ||
		die "fc-cache failed for $1"
	ls "$1"/var/cache/fontconfig/*.cache-* >/dev/null 2>&1 ||
		die "fc-cache wrote no cache into $1"
}

# app_layer NAME PKGS DATA_PKGS [EXTRA_DIR]: the base image plus a layer
# with the Wayland packages, PKGS and DATA_PKGS unpacked, trimmed, ffmpeg
# stubbed, the font cache built, and EXTRA_DIR copied in.
app_layer() {
	local dir=$WORK/app-$1 t
	info "building appvm-$1 layer ($(printf '%s\n' "$2" "$3" | grep -c .) packages)"
	rm -rf "$dir"
	mkdir -p "$dir"
	unpack "$WAYLAND" "$dir"
	unpack "$2" "$dir"
	unpack "$3" "$dir"
	for t in $TRIM; do
		rm -rf "${dir:?}/$t"
	done
	# foot asks for "monospace": DejaVu Sans Mono is the only face kept.
	find "$dir/usr/share/fonts" -name '*.ttf' ! -name 'DejaVuSansMono*' -delete
	stub_libs "$dir"
	copy_tree "$HERE/wayland" "$dir"
	font_cache "$dir"
	# What ca-certificates' postinst (update-ca-certificates) would do.
	if [ -d "$dir/usr/share/ca-certificates" ]; then
		mkdir -p "$dir/etc/ssl/certs"
		find "$dir/usr/share/ca-certificates" -name '*.crt' | sort |
			xargs cat >"$dir/etc/ssl/certs/ca-certificates.crt"
		ln -sfn certs/ca-certificates.crt "$dir/etc/ssl/cert.pem"
	fi
	[ -z "${4:-}" ] || copy_tree "$4" "$dir"
	{
		cat "$OUT/initrd.img.tmp"
		make_cpio "$dir" | gzip -9 -n
	} >"$OUT/appvm-$1.img.tmp"
}

app_layer lynx "$LYNX" "" "$HERE/lynx"
app_layer catgirl "$CATGIRL" "$CATGIRL_DATA_PKGS"

# netvm_layer: the base image plus the router's packages, the netfilter
# modules (with the base modules, so the layer's modules.dep covers both)
# and netvm/ (its /etc/tinct/network, which /init runs).
netvm_layer() {
	local dir=$WORK/netvm t
	info "building netvm layer ($(printf '%s\n' "$NETVM" | grep -c .) packages)"
	rm -rf "$dir"
	mkdir -p "$dir"
	unpack "$NETVM" "$dir"
	for t in $TRIM; do
		rm -rf "${dir:?}/$t"
	done
	install_modules "$dir" $MODULES $NETVM_MODULES
	mkdir -p "$dir/etc/tinct"
	printf '%s\n' $NETVM_MODULES >"$dir/etc/tinct/netvm-modules"
	copy_tree "$HERE/netvm" "$dir"
	{
		cat "$OUT/initrd.img.tmp"
		make_cpio "$dir" | gzip -9 -n
	} >"$OUT/netvm.img.tmp"
}
netvm_layer

for f in vmlinuz initrd.img appvm-lynx.img appvm-catgirl.img netvm.img; do
	mv -f "$OUT/$f.tmp" "$OUT/$f"
done
echo "$STAMP" >"$OUT/.stamp"
info "done"
report
