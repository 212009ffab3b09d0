/* silo: libcriu, loaded with dlopen at the first checkpoint or restore, for the
 * protobuf-c code of CRIU's RPC that it exports.
 *
 * silo speaks CRIU's RPC itself (criu-rpc.h) rather than through libcriu's option
 * setters: those have no way to ask for lazy pages (criu 3.17), while the RPC message has
 * every option.  The message types are rpc.pb-c.h's; packing and unpacking them is the
 * code libcriu carries for its own requests, so silo needs no protobuf compiler and no
 * copy of rpc.proto.
 *
 * Linked at start-up, libcriu and the protobuf-c library under it were mapped and
 * relocated by every silo process (and twice per create: silo re-executes itself sealed,
 * see exe-seal.h) for the two commands that use them: about 40 system calls and their
 * page faults per `run`.  criu.c and criu-rpc.c call through CRIU (name), a pointer of
 * the function's own type, set by silo_criu_library_load.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CRIU_LIBRARY_H
#define SILO_CRIU_LIBRARY_H

#include <criu/rpc.pb-c.h>

#include "error.h"

/* libcriu's soname since CRIU 3.x (Debian 12: criu 3.17).  */
#define SILO_LIBCRIU_SONAME "libcriu.so.2"

#define SILO_CRIU_FUNCTIONS(X) \
  X (cgroup_root__init) \
  X (criu_features__init) \
  X (criu_opts__init) \
  X (criu_page_server_info__init) \
  X (criu_req__get_packed_size) \
  X (criu_req__init) \
  X (criu_req__pack) \
  X (criu_resp__free_unpacked) \
  X (criu_resp__unpack) \
  X (ext_mount_map__init) \
  X (inherit_fd__init) \

#define SILO_CRIU_DECLARE(name) extern __typeof__ (name) *silo_criu_fn_##name;
SILO_CRIU_FUNCTIONS (SILO_CRIU_DECLARE)
#undef SILO_CRIU_DECLARE

#define CRIU(name) (*silo_criu_fn_##name)

/* Load libcriu and resolve every function above; once per process.  Fails naming the
 * library and what to install, or the first function it lacks.  */
int silo_criu_library_load (struct silo_error **err);

#endif
