/*
 * volumes_place.h: a new volume's NFS head, chosen by its affinity rules
 * (lib/affinity.h) among the exporter's heads (exporter_heads), relative
 * to the owner's other volumes, as RFD 26 asks of Triton's placement:
 *
 *   volume==NAME     on a head that serves a volume named NAME (or of
 *                    that uuid); NAME may be a glob (db*) or /regex/
 *   volume!=NAME     on no head that serves one
 *   label:KEY==VALUE the same, for volumes whose label KEY matches VALUE
 *                    (a bare KEY means a label too, as Triton's tags)
 *   ==~ and !=~      soft: preferred, never refused
 *
 * Hard rules narrow the heads; soft ones rank what is left; ties go to the
 * head with the fewest volumes, then the first.  Only ready and creating
 * volumes count.  Heads run no instances: a rule on instances
 * ("instance", "container") with "!=" holds on every head, a hard one with
 * "==" is refused, a soft one ignored.
 */
#ifndef TNFS_VOLUMES_PLACE_H
#define TNFS_VOLUMES_PLACE_H

#include "err.h"
#include "store.h"
#include "vapi.h"

/*
 * Check v->affinity and, with several heads, name the chosen head in v's
 * nfs_port and mount_port (exporter_heads).  ValidationError for a
 * malformed rule, AffinityNotSatisfied (409) naming the hard rule no head
 * meets.
 */
int volumes_place(struct vapi *va, struct volume *v, struct tnfs_err *err);

#endif
