/* The scaffolding shared by the live cgroup unit tests (cgroup-live, cgroup-resources-live):
 * a per-run id that names every cgroup a test makes (<id> or <id>-<suffix>), this host's
 * cgroup mounts, the processes the test started, and the cleanup that leaves nothing
 * behind: started processes killed and reaped, their cgroups thawed (v1 freezer.state and
 * cgroup2 cgroup.freeze) and removed in every hierarchy.  What a single test changes
 * besides (loop devices, cgroup2 subtree_control) it restores itself, after
 * fixture_cleanup.  Not linked with tap.h: the test makes the checks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SILO_TEST_CGROUP_FIXTURE_H
#define SILO_TEST_CGROUP_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

struct cgroup_mount;

struct fixture_process
{
  pid_t pid;
  int pidfd;   /* signals go through it: a reaped pid may already name someone else's */
};

struct fixture
{
  char id[64];                     /* <prefix>-<pid of the test> */
  struct cgroup_mount *mounts;     /* from /proc/self/mountinfo */
  size_t n_mounts;
  struct fixture_process started[32];
  size_t n_started;
};

/* Root with a cgroup mounted: fills f and returns true.  Otherwise prints the TAP plan
 * that skips the whole test and returns false.  */
bool fixture_setup (struct fixture *f, const char *prefix);

/* Remember a process fixture_cleanup must kill; call it before the pid can be reaped.  */
void fixture_track (struct fixture *f, pid_t pid);

/* Kill what was tracked, thaw and remove each of the test's cgroups (subtrees first),
 * then reap every child.  */
void fixture_cleanup (struct fixture *f);

/* Whether a hierarchy still holds one of the test's cgroups (each printed as a TAP comment). */
bool fixture_any_left (const struct fixture *f);

/* Whether a hierarchy still holds <mount point>/<name> (the first one printed).  */
bool fixture_left_anywhere (const struct fixture *f, const char *name);

/* rmdir of path after the directories below it, depth first; errors are ignored.  */
void fixture_remove_tree (const char *path);

/* The text of <dir>/<file>, or NULL; the caller frees it.  */
char *fixture_read_text (const char *dir, const char *file);

/* Write value to path; a failure is ignored (the test reads back what matters).  */
void fixture_write_text (const char *path, const char *value);

/* Close the pidfds and free the mounts (after fixture_cleanup and the last check).  */
void fixture_free (struct fixture *f);

#endif
