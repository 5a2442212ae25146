# tests/vm/: the kernel NFS client, proven in a QEMU guest booting Debian's
# kernel (this machine's kernel has no NFS client).  See docs/vm-tests.md.
# The prepared guest is cached in $(builddir)/tests/vm/guest (kept by make
# clean on purpose: preparing it downloads the kernel package).
VM_SUITES = tests/vm/vm_run_args.sh tests/vm/vm_run_guest.sh \
	tests/vm/vm_kernel_nfs.sh tests/vm/vm_docker_nfs.sh \
	tests/vm/vm_plugin_kernel.sh tests/vm/vm_systemd.sh
TESTS += $(VM_SUITES)
dist_check_SCRIPTS += $(VM_SUITES) tests/vm/vm-lib.sh \
	tests/vm/run-in-vm tests/vm/prepare-guest tests/vm/guest-init \
	tests/vm/kernel_nfs_guest.sh tests/vm/docker_guest.sh tests/vm/sysmount.py \
	tests/vm/guest_lib.sh tests/vm/plugin_guest.sh tests/vm/systemd_guest.sh
EXTRA_DIST += tests/vm/.gitignore
