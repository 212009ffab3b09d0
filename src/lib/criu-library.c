/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "criu-library.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#define SILO_CRIU_DEFINE(name) __typeof__ (name) *silo_criu_fn_##name;
SILO_CRIU_FUNCTIONS (SILO_CRIU_DEFINE)
#undef SILO_CRIU_DEFINE

int
silo_criu_library_load (struct silo_error **err)
{
  static void *library;
  void *handle;

  if (library != NULL)
    return 0;
  /* RTLD_NOW: a libcriu without one of the functions fails here, by name, not mid-dump.  */
  handle = dlopen (SILO_LIBCRIU_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    return silo_fail (err, ENOENT, "CRIU: cannot load %s (%s): checkpoint and restore need "
                      "CRIU's library (Debian: apt-get install criu)", SILO_LIBCRIU_SONAME,
                      dlerror ());
#define SILO_CRIU_RESOLVE(name)                                                             \
  if ((silo_criu_fn_##name = (__typeof__ (name) *) dlsym (handle, #name)) == NULL)          \
    {                                                                                       \
      dlclose (handle);                                                                     \
      return silo_fail (err, ENOSYS, "CRIU: %s has no `%s` (silo speaks CRIU's RPC through " \
                        "the protobuf-c code libcriu exports): CRIU 3.16 or later is needed", \
                        SILO_LIBCRIU_SONAME, #name);                                        \
    }
  SILO_CRIU_FUNCTIONS (SILO_CRIU_RESOLVE)
#undef SILO_CRIU_RESOLVE
  library = handle;
  return 0;
}
