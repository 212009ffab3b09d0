/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void
silo_freep (void *p)
{
  free (*(void **) p);
}

void
silo_closep (int *fd)
{
  int saved = errno;
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
  errno = saved;
}

void
silo_fclosep (FILE **f)
{
  if (*f != NULL)
    fclose (*f);
  *f = NULL;
}

void
silo_strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **i = v; *i != NULL; i++)
    free (*i);
  free (v);
}

void
silo_strv_freep (char ***v)
{
  silo_strv_free (*v);
  *v = NULL;
}

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    abort ();
  return p;
}

void *
xrealloc (void *p, size_t size)
{
  void *n = realloc (p, size ? size : 1);
  if (n == NULL)
    abort ();
  return n;
}

char *
xstrdup (const char *s)
{
  char *d;
  if (s == NULL)
    return NULL;
  d = strdup (s);
  if (d == NULL)
    abort ();
  return d;
}

char *
xasprintf (const char *fmt, ...)
{
  char *s;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return s;
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  return n;
}

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t r = write (fd, p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      p += r;
      len -= (size_t) r;
    }
  return 0;
}

ssize_t
read_all (int fd, void *buf, size_t len)
{
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, (char *) buf + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      done += (size_t) r;
    }
  return (ssize_t) done;
}

int
read_fd_all (int fd, char **out, size_t *len, struct silo_error **err)
{
  size_t cap = 4096, used = 0;
  _cleanup_free_ char *buf = xrealloc (NULL, cap);   /* not zeroed: read fills what is used */

  for (;;)
    {
      ssize_t r;
      if (used + 1 >= cap)
        {
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
      r = read (fd, buf + used, cap - used - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return silo_fail (err, errno, "read");
      if (r == 0)
        break;
      used += (size_t) r;
    }
  buf[used] = '\0';
  if (len != NULL)
    *len = used;
  *out = steal_pointer (&buf);
  return 0;
}

int
read_fd_sized (int fd, size_t size, char **out, size_t *len, struct silo_error **err)
{
  _cleanup_free_ char *buf = xrealloc (NULL, size + 2);
  ssize_t r;

  /* Asking for one byte more than the file holds: getting exactly its size is the end.  */
  do
    r = read (fd, buf, size + 1);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "read");
  if ((size_t) r != size)
    {
      if (lseek (fd, 0, SEEK_SET) < 0)
        return silo_fail (err, errno, "seek");
      return read_fd_all (fd, out, len, err);   /* it changed meanwhile: read it all */
    }
  buf[r] = '\0';
  if (len != NULL)
    *len = (size_t) r;
  *out = steal_pointer (&buf);
  return 0;
}

int
read_file_at (int dirfd, const char *path, char **out, size_t *len, struct silo_error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return silo_fail (err, errno, "open `%s`", path);
  if (read_fd_all (fd, out, len, err) < 0)
    return silo_wrap (err, "`%s`", path);
  return 0;
}

int
write_value_fd (int fd, const char *what, const char *data, size_t len, struct silo_error **err)
{
  ssize_t r;

  do
    r = write (fd, data, len);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "write `%.*s` to `%s`", (int) (len > 64 ? 64 : len), data, what);
  if ((size_t) r != len)
    return silo_fail (err, EIO, "short write to `%s` (%zd of %zu bytes)", what, r, len);
  return 0;
}

int
write_file_at (int dirfd, const char *path, const char *data, size_t len, struct silo_error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return silo_fail (err, errno, "open `%s` for writing", path);
  return write_value_fd (fd, path, data, len, err);
}

static uint32_t
random_u32 (uint32_t fallback)
{
  uint32_t r;

  if (getrandom (&r, sizeof r, 0) != sizeof r)
    r = (uint32_t) getpid () * 2654435761u + fallback;
  return r;
}

/* A new file next to `name` that nobody else made: a random name, O_EXCL | O_NOFOLLOW, so
 * that a symlink or file planted in a shared directory is never written through.  The
 * first try of each file draws on one random seed per process (a state write is four
 * files per `run`, and each getrandom a system call); a name taken (planted by someone
 * who guessed the sequence) makes every further try draw a fresh one.  */
static int
create_temp_at (int dirfd, const char *name, mode_t mode, char **tmp)
{
  static uint32_t seed, used;

  if (used++ == 0)
    seed = random_u32 (0);
  for (int attempt = 0; attempt < 64; attempt++)
    {
      uint32_t r = attempt == 0 ? seed + used * 2654435761u : random_u32 ((uint32_t) attempt);
      int fd;

      *tmp = xasprintf (".%s.%08x.tmp", name, r);
      fd = openat (dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0 || errno != EEXIST)
        return fd;
      free (*tmp);
      *tmp = NULL;
    }
  errno = EEXIST;
  return -1;
}

int
write_file_atomic_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                      enum silo_write_durability durability, struct silo_error **err)
{
  _cleanup_free_ char *tmp = NULL;
  _cleanup_close_ int fd = create_temp_at (dirfd, name, mode, &tmp);

  if (fd < 0)
    return silo_fail (err, errno, "create a temporary file for `%s`", name);
  if (write_all (fd, data, len) < 0 || (durability == SILO_DURABLE && fsync (fd) < 0))
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return silo_fail (err, saved, "write `%s`", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return silo_fail (err, saved, "rename `%s` to `%s`", tmp, name);
    }
  return 0;
}

int
mkdir_p_at (int dirfd, const char *path, mode_t mode, struct silo_error **err)
{
  _cleanup_free_ char *copy = NULL;

  if (path == NULL || *path == '\0')
    return silo_fail (err, EINVAL, "mkdir: an empty path");
  copy = xstrdup (path);
  for (char *p = copy + 1; ; p++)
    {
      if (*p != '/' && *p != '\0')
        continue;
      char saved = *p;
      *p = '\0';
      if (mkdirat (dirfd, copy, mode) < 0 && errno != EEXIST)
        return silo_fail (err, errno, "mkdir `%s`", copy);
      *p = saved;
      if (saved == '\0')
        break;
    }
  return 0;
}

int
parse_long (const char *s, long long *out)
{
  char *end;
  long long v;

  if (s == NULL || *s == '\0')
    return -1;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian): eras of 400
 * years (146,097 days) starting on March 1st, so that the leap day ends a year.  */
static void
civil_from_days (long long days, int *year, int *month, int *day)
{
  long long z = days + 719468;   /* days since 0000-03-01 */
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;                                  /* [0, 146096] */
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* [0, 365] */
  long long mp = (5 * doy + 2) / 153;                                /* March = 0 */

  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (yoe + era * 400 + (*month <= 2));
}

char *
rfc3339_format (const struct timespec *ts)
{
  long long secs = ts->tv_sec;
  long long days = (secs >= 0 ? secs : secs - 86399) / 86400;
  long long rest = secs - days * 86400;
  int year, month, day;

  /* Not gmtime_r nor strftime: glibc loads the time zone (/etc/localtime, 7 system
   * calls) on the first of either, and UTC needs none.  */
  civil_from_days (days, &year, &month, &day);
  return xasprintf ("%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", year, month, day, (int) (rest / 3600),
                    (int) (rest / 60 % 60), (int) (rest % 60), (long) ts->tv_nsec);
}

char *
rfc3339_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return rfc3339_format (&ts);
}

static int
compare_ints (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

int
silo_close_fds_except (int *keep, size_t nkeep, struct silo_error **err)
{
  unsigned int first = 3;

  qsort (keep, nkeep, sizeof (int), compare_ints);
  for (size_t i = 0; i < nkeep; i++)
    {
      if (keep[i] < (int) first)
        continue;
      if ((unsigned int) keep[i] > first && syscall (SYS_close_range, first, (unsigned int) keep[i] - 1, 0) < 0)
        return silo_fail (err, errno, "close_range %u-%d", first, keep[i] - 1);
      first = (unsigned int) keep[i] + 1;
    }
  if (syscall (SYS_close_range, first, ~0U, 0) < 0)
    return silo_fail (err, errno, "close_range %u-", first);
  return 0;
}

int
silo_check_trusted_fd (int fd, const char *what, const char *path, struct silo_error **err)
{
  struct stat st;

  return silo_check_trusted_stat (fd, what, path, &st, err);
}

int
silo_check_trusted_stat (int fd, const char *what, const char *path, struct stat *out,
                         struct silo_error **err)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return silo_fail (err, errno, "stat %s `%s`", what, path);
  *out = st;
  if (st.st_uid != geteuid ())
    return silo_fail (err, EPERM, "%s `%s` belongs to uid %u, not to silo's user (uid %u): "
                      "refusing to trust it", what, path, (unsigned) st.st_uid,
                      (unsigned) geteuid ());
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return silo_fail (err, EPERM, "%s `%s` can be written by other users (mode %04o): "
                      "refusing to trust it (chmod go-w)", what, path,
                      (unsigned) (st.st_mode & 07777));
  return 0;
}

int
silo_parse_cpu_list (const char *list, cpu_set_t *set, struct silo_error **err)
{
  const char *p = list;

  CPU_ZERO (set);
  while (*p != '\0')
    {
      char *end;
      unsigned long first, last;

      errno = 0;
      first = strtoul (p, &end, 10);
      last = first;
      if (end == p || errno != 0)
        break;
      if (*end == '-')
        {
          p = end + 1;
          last = strtoul (p, &end, 10);
          if (end == p || errno != 0 || last < first)
            break;
        }
      if (last >= CPU_SETSIZE)
        return silo_fail (err, EINVAL, "cpu list `%s`: cpu %lu is above %d", list, last, CPU_SETSIZE - 1);
      for (unsigned long c = first; c <= last; c++)
        CPU_SET (c, set);
      if (*end == '\0')
        return 0;
      if (*end != ',')
        break;
      p = end + 1;
    }
  return silo_fail (err, EINVAL, "`%s` is not a cpu list (like 0-3,6)", list);
}

/* ---- the open-file limit -------------------------------------------------------- */

static struct rlimit nofile_caller;
static enum { NOFILE_UNTOUCHED, NOFILE_RAISED, NOFILE_LOWERED, NOFILE_KEPT } nofile_state;

void
silo_nofile_raise (void)
{
  struct rlimit raised;

  if (nofile_state == NOFILE_UNTOUCHED
      && (getrlimit (RLIMIT_NOFILE, &nofile_caller) < 0 || nofile_caller.rlim_cur >= nofile_caller.rlim_max))
    return;
  if (nofile_state != NOFILE_UNTOUCHED && nofile_state != NOFILE_LOWERED)
    return;
  raised = (struct rlimit) { nofile_caller.rlim_max, nofile_caller.rlim_max };
  if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
    nofile_state = NOFILE_RAISED;
}

bool
silo_nofile_lower (void)
{
  if (nofile_state != NOFILE_RAISED || setrlimit (RLIMIT_NOFILE, &nofile_caller) < 0)
    return false;
  nofile_state = NOFILE_LOWERED;
  return true;
}

void
silo_nofile_keep (void)
{
  nofile_state = NOFILE_KEPT;
}

size_t
utf8_sequence (const unsigned char *s, size_t left)
{
  uint32_t cp;
  size_t n;

  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, cp = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3, cp = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (left < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
      || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

char *
utf8_sanitize (const char *s, size_t len, size_t *out_len)
{
  char *out = xmalloc0 (len * 3 + 1), *p = out;

  for (size_t i = 0; i < len;)
    {
      size_t n = utf8_sequence ((const unsigned char *) s + i, len - i);
      if (n == 0)
        {
          memcpy (p, "\xef\xbf\xbd", 3);      /* U+FFFD */
          p += 3, i++;
          continue;
        }
      memcpy (p, s + i, n);
      p += n, i += n;
    }
  *p = '\0';
  if (out_len != NULL)
    *out_len = (size_t) (p - out);
  return out;
}

int
silo_proc_start_time (pid_t pid, uint64_t *start_time)
{
  char path[64], buf[1024];
  _cleanup_close_ int fd = -1;
  ssize_t n;
  char *p, *end, state;
  unsigned long long st;

  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  /* One read: procfs makes the whole line at the first read of a buffer this size.  */
  n = read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* comm (field 2) may hold spaces and parentheses: parse from the last ')'.  */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ' || p[2] == '\0')
    return -1;
  state = p[2];
  /* from field 3 (the state) to field 22, by the spaces (list reads one per container:
   * sscanf was a tenth of its instructions) */
  p += 2;
  for (int field = 3; field < 22 && p != NULL; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return -1;
  st = strtoull (p + 1, &end, 10);
  if (end == p + 1)
    return -1;
  if (state == 'Z' || state == 'X' || state == 'x')
    return -1;
  *start_time = st;
  return 0;
}
