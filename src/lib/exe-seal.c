/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "exe-seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "util.h"

#ifndef MFD_EXEC
# define MFD_EXEC 0x0010U   /* Linux 6.3: ask for an executable memfd explicitly */
#endif
#ifndef F_SEAL_EXEC
# define F_SEAL_EXEC 0x0020
#endif

#define SEALS_REQUIRED (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int
memfd_is_sealed (struct silo_error **err)
{
  _cleanup_close_ int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;

  if (fd < 0)
    return silo_fail (err, errno, "open /proc/self/exe");
  seals = fcntl (fd, F_GET_SEALS);
  if (seals < 0)
    return errno == EINVAL ? 0 : silo_fail (err, errno, "fcntl F_GET_SEALS on /proc/self/exe");
  return (seals & SEALS_REQUIRED) == SEALS_REQUIRED;
}

int
silo_exe_is_sealed (struct silo_error **err)
{
  static bool known_sealed;   /* the binary of a running process does not change */
  struct statfs sfs;
  int sealed;

  if (known_sealed)
    return 1;
  /* ST_RDONLY covers a read-only mount as well as a read-only filesystem: either way a
   * write open through this path is refused (EROFS).  */
  if (statfs ("/proc/self/exe", &sfs) < 0)
    return silo_fail (err, errno, "statfs /proc/self/exe");
  if (sfs.f_flags & ST_RDONLY)
    {
      known_sealed = true;
      return 1;
    }
  /* A memfd lives on shmem (tmpfs, or hugetlbfs with MFD_HUGETLB): nothing else can be
   * one, so its seals are asked of those alone.  */
  if ((uint32_t) sfs.f_type != TMPFS_MAGIC && (uint32_t) sfs.f_type != HUGETLBFS_MAGIC)
    return 0;
  sealed = memfd_is_sealed (err);
  known_sealed = sealed == 1;
  return sealed;
}

/* A detached read-only bind mount of the binary itself.  Executed through this fd (which
 * closes at the execve), the mount is dissolved as soon as the new program runs.  */
static int
read_only_mount (void)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
  _cleanup_close_ int tree = open_tree (AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (tree < 0)
    return -1;
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &attr, sizeof (attr)) < 0)
    return -1;
  return steal_fd (&tree);
}

static int
copy_all (int to, int from, off_t size)
{
  off_t done = 0;

  while (done < size)
    {
      ssize_t n = sendfile (to, from, NULL, (size_t) (size - done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n == 0 ? (errno = EIO, -1) : -1;
      done += n;
    }
  return 0;
}

/* The fallback: a copy in a memfd, sealed against any change before it runs.  */
static int
sealed_memfd (void)
{
  _cleanup_close_ int source = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int fd = -1;
  struct stat st;

  if (source < 0 || fstat (source, &st) < 0)
    return -1;
  fd = memfd_create ("silo", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create ("silo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0 || copy_all (fd, source, st.st_size) < 0)
    return -1;
  (void) fcntl (fd, F_ADD_SEALS, F_SEAL_EXEC);   /* Linux 6.3; the mode stays 0777 anyway */
  if (fcntl (fd, F_ADD_SEALS, SEALS_REQUIRED) < 0)
    return -1;
  return steal_fd (&fd);
}

/* After the re-execution: the kernel named us after the fd before Linux 6.14.  */
static void
restore_name (char **argv)
{
  const char *slash = argv[0] != NULL ? strrchr (argv[0], '/') : NULL;

  if (argv[0] != NULL)
    prctl (PR_SET_NAME, slash != NULL ? slash + 1 : argv[0], 0, 0, 0);
}

int
silo_exe_seal (char **argv, struct silo_error **err)
{
  const char *marker = getenv (SILO_EXE_SEALED_ENV);
  char pid[24];
  bool reexecuted;
  int sealed, mount_errno;
  _cleanup_close_ int fd = -1;

  snprintf (pid, sizeof pid, "%d", (int) getpid ());
  reexecuted = marker != NULL && strcmp (marker, pid) == 0;
  unsetenv (SILO_EXE_SEALED_ENV);
  if (reexecuted)
    restore_name (argv);
  sealed = silo_exe_is_sealed (err);
  if (sealed != 0)
    return sealed < 0 ? -1 : 0;
  if (reexecuted)
    return silo_fail (err, EPERM, "silo re-executed itself from a sealed binary, yet "
                      "/proc/self/exe is still writable");
  fd = read_only_mount ();
  mount_errno = errno;
  if (fd < 0)
    fd = sealed_memfd ();
  if (fd < 0)
    return silo_fail (err, errno, "seal silo's binary against writes from containers "
                      "(read-only mount: %s; memfd copy)", strerror (mount_errno));
  if (setenv (SILO_EXE_SEALED_ENV, pid, 1) < 0)
    return silo_fail (err, errno, "setenv %s", SILO_EXE_SEALED_ENV);
  /* the caller's open-file limit, for the new program to find (and raise) again */
  bool lowered = silo_nofile_lower ();
  execveat (fd, "", argv, environ, AT_EMPTY_PATH);
  int saved = errno;
  if (lowered)
    silo_nofile_raise ();
  unsetenv (SILO_EXE_SEALED_ENV);
  return silo_fail (err, saved, "re-execute silo from its sealed binary");
}
