# tests/vm/: the kernel NFS client, proven in a QEMU guest booting Debian's
# kernel (this machine's kernel has no NFS client).  See docs/vm-tests.md.
# The prepared guest is cached in $(builddir)/tests/vm/guest (kept by make
# clean on purpose: preparing it downloads the kernel package).
TESTS += tests/vm/vm_run_args.sh tests/vm/vm_kernel_nfs.sh tests/vm/vm_docker_nfs.sh
dist_check_SCRIPTS += tests/vm/vm_run_args.sh tests/vm/vm_kernel_nfs.sh tests/vm/vm_docker_nfs.sh \
	tests/vm/run-in-vm tests/vm/prepare-guest tests/vm/guest-init \
	tests/vm/kernel_nfs_guest.sh tests/vm/docker_guest.sh \
	tests/vm/sysmount.py tests/vm/vm-lib.sh
EXTRA_DIST += tests/vm/.gitignore
