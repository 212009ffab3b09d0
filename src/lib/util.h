/* silo: small helpers every subsystem uses: cleanup attributes, ownership transfer,
 * checked allocation, whole-file reads and atomic writes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_UTIL_H
#define SILO_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"

void silo_freep (void *p);      /* free (*(void **) p) */
void silo_closep (int *fd);     /* close (*fd) when >= 0, keeping errno */
void silo_fclosep (FILE **f);
void silo_strv_freep (char ***v);
void silo_strv_free (char **v);

#define _cleanup_free_ __attribute__ ((cleanup (silo_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (silo_closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (silo_fclosep)))
#define _cleanup_strv_ __attribute__ ((cleanup (silo_strv_freep)))

/* Hand ownership on: return the value and leave the variable empty.  */
static inline void *
silo_steal_pointer (void *pp)
{
  void **p = (void **) pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) silo_steal_pointer (pp)

static inline int
steal_fd (int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}

#define SILO_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Allocation that aborts on failure: a runtime out of memory cannot recover.  */
void *xmalloc0 (size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);     /* NULL stays NULL */
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
size_t strv_len (char *const *v);

/* Loop write(2)/read(2) over EINTR and short counts.  */
int write_all (int fd, const void *buf, size_t len);
ssize_t read_all (int fd, void *buf, size_t len);

/* Read a whole file (relative to dirfd, AT_FDCWD for cwd) into a NUL-terminated buffer.  */
int read_file_at (int dirfd, const char *path, char **out, size_t *len, struct silo_error **err);
int read_fd_all (int fd, char **out, size_t *len, struct silo_error **err);
/* A regular file of `size` bytes (from fstat) in one read; one that changed size meanwhile
 * is read again from the start with read_fd_all.  */
int read_fd_sized (int fd, size_t size, char **out, size_t *len, struct silo_error **err);

/* The one way silo writes a value into a kernel file (cgroup, procfs, resctrl knobs):
 * one write(2), since each write is taken as one value; a short write is EIO; errors name
 * WHAT.  write_file_at opens an existing file first (O_WRONLY, never through a symlink).  */
int write_value_fd (int fd, const char *what, const char *data, size_t len, struct silo_error **err);
int write_file_at (int dirfd, const char *path, const char *data, size_t len, struct silo_error **err);

/* temp file in the same directory (random name, O_EXCL | O_NOFOLLOW: never written
 * through something planted there) + rename(2): readers see old or new, never half, and
 * a process killed half-way leaves the old file whole.  SILO_DURABLE adds an fsync before
 * the rename, for files that must outlive a power loss (checkpoint images, the seccomp
 * cache); SILO_VOLATILE is for files that describe live processes, which a power loss
 * ends anyway (the state, pid files: see docs/design.md, "State store").  */
enum silo_write_durability { SILO_VOLATILE, SILO_DURABLE };
int write_file_atomic_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                          enum silo_write_durability durability, struct silo_error **err);

/* mkdir -p relative to dirfd; existing directories are fine.  */
int mkdir_p_at (int dirfd, const char *path, mode_t mode, struct silo_error **err);

/* Parse a decimal integer; the whole string must be consumed.  */
int parse_long (const char *s, long long *out);

/* Wall-clock time as RFC 3339 with nanoseconds, UTC ("2024-01-02T03:04:05.123456789Z").  */
char *rfc3339_now (void);
/* TS as RFC 3339 in UTC with nanoseconds ("2024-01-02T03:04:05.000000000Z").  */
struct timespec;
char *rfc3339_format (const struct timespec *ts);

/* A process's start time (field 22 of /proc/PID/stat, clock ticks since boot: with the pid
 * it names one process for good), or -1 when the process is gone or a zombie.  */
int silo_proc_start_time (pid_t pid, uint64_t *start_time);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), 0 when the bytes there are not
 * UTF-8 (overlong forms, surrogates and values above U+10FFFF included).  */
size_t utf8_sequence (const unsigned char *s, size_t left);
/* A copy of s with every byte that is not UTF-8 replaced by U+FFFD.  */
char *utf8_sanitize (const char *s, size_t len, size_t *out_len);

/* silo's open-file limit: silo_nofile_raise (at start) takes the soft limit up to the
 * hard one (a create needs ~25 fds; a caller at 20 must not get a half-made container).
 * Every program silo executes gets the caller's limit back: silo_nofile_lower right
 * before an execve or around a posix_spawn (it returns whether it lowered, for
 * silo_nofile_raise after); silo_nofile_keep once process.rlimits set a limit of its own,
 * which then stays.  */
void silo_nofile_raise (void);
bool silo_nofile_lower (void);
void silo_nofile_keep (void);

/* Close every fd above 2 except those listed in keep (sorted in place): close_range(2)
 * over the gaps, no walk of /proc/self/fd (which may be a container's).  */
int silo_close_fds_except (int *keep, size_t nkeep, struct silo_error **err);

/* "0-3,6" -> a cpu set; an error names the list.  */
int silo_parse_cpu_list (const char *list, cpu_set_t *set, struct silo_error **err);

/* What silo trusts to hold its own records (state, cached seccomp filters) must belong to
 * silo's euid and not be writable by group or others: anything else could be forged.
 * `what` and `path` name it in the error ("the state root `/run/silo`").  */
int silo_check_trusted_fd (int fd, const char *what, const char *path, struct silo_error **err);
/* The same, handing back the fstat it made.  */
int silo_check_trusted_stat (int fd, const char *what, const char *path, struct stat *out,
                             struct silo_error **err);

#endif
