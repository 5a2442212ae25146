# client/: libvapi, triton-volume and tritonnfs-adm.
bin_PROGRAMS += client/triton-volume
sbin_PROGRAMS += client/tritonnfs-adm
client_triton_volume_SOURCES = client/triton_volume.c
client_triton_volume_LDADD = $(LIBTNFS)
client_tritonnfs_adm_SOURCES = client/adm.c
client_tritonnfs_adm_LDADD = $(LIBTNFS)
