/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "program.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* The kernel reads this much of a file to find a "#!" line (BINPRM_BUF_SIZE), and follows
 * at most this many interpreters of interpreters (BINPRM_MAX_RECURSION).  */
#define SHEBANG_BUFFER_SIZE 256
#define SHEBANG_MAX_DEPTH 4
/* More program headers than any loader-made ELF has; the rest is not looked at.  */
#define ELF_MAX_PROGRAM_HEADERS 256

/* One file of the chain from args[0] to what the kernel finally maps.  */
struct chain_file
{
  const char *path;   /* as written: args[0], a PATH candidate, a #! or PT_INTERP path */
  int fd;             /* O_PATH, resolved inside the root */
  struct stat st;
};

/* ---- lookup --------------------------------------------------------------------- */

/* openat2 inside the root; a relative path starts at the process's cwd, as the kernel
 * will start it.  Returns an fd or -errno.  */
static int
open_in_root (int rootfd, const char *cwd, const char *path, int flags)
{
  _cleanup_free_ char *lookup = path[0] == '/' ? xstrdup (path) : xasprintf ("%s/%s", cwd, path);
  int fd = silo_openat2 (rootfd, lookup, (uint64_t) flags, 0, IN_ROOT);

  return fd < 0 ? -errno : fd;
}

/* 0, the O_PATH fd of an executable regular file and its stat, or -errno as execvp(3)
 * would see it (EACCES for a file without an execute bit or on a noexec mount).  */
static int
open_executable (int rootfd, const char *cwd, const char *path, int *fd_out, struct stat *st)
{
  _cleanup_close_ int fd = open_in_root (rootfd, cwd, path, O_PATH);
  struct statfs sfs;

  if (fd < 0)
    return fd;
  if (fstat (fd, st) < 0 || fstatfs (fd, &sfs) < 0)
    return -errno;
  if (!S_ISREG (st->st_mode) || (st->st_mode & 0111) == 0 || (sfs.f_flags & ST_NOEXEC))
    return -EACCES;
  *fd_out = steal_fd (&fd);
  return 0;
}

static int
exec_error (const char *name, int errnum, bool found, struct silo_error **err)
{
  if (errnum == ENOENT && found)
    return silo_fail (err, errnum, "exec `%s`: the file exists, so its ELF interpreter "
                      "(dynamic loader) is missing, or it is a script silo could not read", name);
  if (errnum == EACCES)
    return silo_fail (err, errnum, "exec `%s`: it must be a regular file, executable by the "
                      "process's user and not on a noexec mount", name);
  if (errnum == ENOEXEC)
    return silo_fail (err, errnum, "exec `%s`: not a program this kernel can run (another "
                      "architecture, or a script without #!)", name);
  if (errnum == ELOOP)
    return silo_fail (err, errnum, "exec `%s`: a symlink loop, or a /proc magic link "
                      "(/proc/PID/fd/N, /proc/PID/exe), which silo never follows inside a "
                      "container", name);
  return silo_fail (err, errnum, "exec `%s`", name);
}

static const char *
env_path (const oci_process *p)
{
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], "PATH=", 5) == 0)
      return p->env[i] + 5;
  return SILO_DEFAULT_PATH;
}

/* execvp's search: a name with '/' is used as it is; otherwise each PATH entry in turn
 * (an empty one is the cwd), going on past entries that are missing or not executable.  */
static int
find_program (int rootfd, const char *cwd, const char *name, const char *search, char **path,
              struct stat *st, struct silo_error **err)
{
  bool denied = false;
  int fd = -1, r;

  if (strchr (name, '/') != NULL)
    {
      r = open_executable (rootfd, cwd, name, &fd, st);
      if (r < 0)
        return exec_error (name, -r, false, err);
      *path = xstrdup (name);
      return fd;
    }
  for (const char *dir = search;; dir++)
    {
      const char *end = strchrnul (dir, ':');
      _cleanup_free_ char *candidate = end == dir ? xasprintf ("./%s", name)
        : xasprintf ("%.*s/%s", (int) (end - dir), dir, name);

      r = open_executable (rootfd, cwd, candidate, &fd, st);
      if (r == 0)
        {
          *path = steal_pointer (&candidate);
          return fd;
        }
      if (r != -ENOENT && r != -ENOTDIR && r != -EACCES)
        return exec_error (candidate, -r, false, err);
      denied |= r == -EACCES;
      dir = end;
      if (*dir == '\0')
        break;
    }
  if (denied)
    return silo_fail (err, EACCES, "exec `%s`: found in PATH `%s` but not executable", name,
                      search);
  return silo_fail (err, ENOENT, "exec `%s`: not found in PATH `%s`", name, search);
}

/* ---- the chain: #! interpreters and the ELF loader ---------------------------------- */

static int
check_not_silo (const struct chain_file *f, const char *name, const struct stat *silo_exe,
                struct silo_error **err)
{
  if (f->st.st_dev == silo_exe->st_dev && f->st.st_ino == silo_exe->st_ino)
    return silo_fail (err, EACCES, "exec `%s`: `%s` is silo's own binary, which a container "
                      "may never run (CVE-2019-5736)", name, f->path);
  return 0;
}

/* The first bytes of f, through a second lookup for reading that must reach the same
 * inode.  0 when it cannot be read (the kernel decides at exec); -1 on error.  */
static ssize_t
read_head (int rootfd, const char *cwd, const struct chain_file *f, char *buffer, size_t size,
           int *rfd_out, struct silo_error **err)
{
  _cleanup_close_ int rfd = open_in_root (rootfd, cwd, f->path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  struct stat st;
  ssize_t n;

  if (rfd < 0)
    return 0;
  if (fstat (rfd, &st) < 0)
    return silo_fail (err, errno, "fstat `%s`", f->path);
  if (st.st_dev != f->st.st_dev || st.st_ino != f->st.st_ino)
    return silo_fail (err, EAGAIN, "`%s` was replaced while being checked", f->path);
  n = read_all (rfd, buffer, size);
  if (n <= 0)
    return 0;
  *rfd_out = steal_fd (&rfd);
  return n;
}

/* true and the interpreter of a "#!" file.  */
static bool
shebang_interpreter (char *head, size_t n, char *interpreter)
{
  size_t start = 2, end;

  if (n < 2 || head[0] != '#' || head[1] != '!')
    return false;
  head[n] = '\0';
  while (head[start] == ' ' || head[start] == '\t')
    start++;
  end = start + strcspn (head + start, " \t\n");
  if (end == start)
    return false;   /* the kernel fails it with ENOEXEC */
  memcpy (interpreter, head + start, end - start);
  interpreter[end - start] = '\0';
  return true;
}

static bool
read_exact (int fd, void *buffer, size_t size, uint64_t offset)
{
  return offset <= INT64_MAX && pread (fd, buffer, size, (off_t) offset) == (ssize_t) size;
}

/* Where the program headers are, from the ELF header in head.  */
static bool
elf_program_headers (const char *head, size_t n, bool *is64, uint64_t *offset, unsigned *count)
{
  if (n < EI_NIDENT || memcmp (head, ELFMAG, SELFMAG) != 0)
    return false;
  *is64 = head[EI_CLASS] == ELFCLASS64;
  if (*is64 && n >= sizeof (Elf64_Ehdr))
    {
      Elf64_Ehdr e;
      memcpy (&e, head, sizeof e);
      *offset = e.e_phoff;
      *count = e.e_phnum;
      return e.e_phentsize == sizeof (Elf64_Phdr);
    }
  if (head[EI_CLASS] == ELFCLASS32 && n >= sizeof (Elf32_Ehdr))
    {
      Elf32_Ehdr e;
      memcpy (&e, head, sizeof e);
      *offset = e.e_phoff;
      *count = e.e_phnum;
      return e.e_phentsize == sizeof (Elf32_Phdr);
    }
  return false;
}

/* One program header as 64 bits (a 32-bit one widened).  */
static void
program_header_at (const unsigned char *table, bool is64, unsigned i, uint32_t *type,
                   uint64_t *offset, uint64_t *length)
{
  Elf64_Phdr p64;
  Elf32_Phdr p32;

  if (is64)
    {
      memcpy (&p64, table + (size_t) i * sizeof p64, sizeof p64);
      *type = p64.p_type, *offset = p64.p_offset, *length = p64.p_filesz;
      return;
    }
  memcpy (&p32, table + (size_t) i * sizeof p32, sizeof p32);
  *type = p32.p_type, *offset = p32.p_offset, *length = p32.p_filesz;
}

/* true and the PT_INTERP path (the loader the kernel maps with the program) of an ELF
 * file; false for anything else, and for what the kernel would refuse anyway.  The
 * program headers are read in one call (a static busybox has ten).  */
static bool
elf_interpreter (int rfd, const char *head, size_t n, char *out, size_t size)
{
  uint64_t table, offset, length;
  unsigned count;
  bool is64;
  size_t entry;
  _cleanup_free_ unsigned char *headers = NULL;

  if (!elf_program_headers (head, n, &is64, &table, &count))
    return false;
  if (count > ELF_MAX_PROGRAM_HEADERS)
    count = ELF_MAX_PROGRAM_HEADERS;
  entry = is64 ? sizeof (Elf64_Phdr) : sizeof (Elf32_Phdr);
  headers = xmalloc0 (count * entry + 1);
  if (!read_exact (rfd, headers, count * entry, table))
    return false;
  for (unsigned i = 0; i < count; i++)
    {
      uint32_t type;

      program_header_at (headers, is64, i, &type, &offset, &length);
      if (type != PT_INTERP)
        continue;
      if (length < 2 || length > size || !read_exact (rfd, out, length, offset))
        return false;
      return out[length - 1] == '\0';
    }
  return false;
}

/* Open the next file of the chain: an interpreter that `from` names.  */
static int
open_chain_file (int rootfd, const char *cwd, const char *name, const char *what,
                 const char *path, const char *from, struct chain_file *f,
                 struct silo_error **err)
{
  int fd = open_in_root (rootfd, cwd, path, O_PATH);

  if (fd == -ELOOP)
    return silo_fail (err, ELOOP, "exec `%s`: %s `%s` of `%s` is a symlink loop or a /proc "
                      "magic link, which silo never follows inside a container", name, what,
                      path, from);
  if (fd < 0)
    return silo_fail (err, -fd, "exec `%s`: %s `%s` of `%s`", name, what, path, from);
  *f = (struct chain_file) { .path = path, .fd = fd };
  if (fstat (fd, &f->st) < 0)
    return silo_fail (err, errno, "exec `%s`: fstat `%s`", name, path);
  return 0;
}

static int
check_chain (int rootfd, const char *cwd, struct silo_program *prog, struct chain_file f,
             const struct stat *silo_exe, struct silo_error **err)
{
  char interpreters[2][SHEBANG_BUFFER_SIZE];
  _cleanup_free_ char *loader = xmalloc0 (PATH_MAX);
  _cleanup_close_ int owned = -1;

  for (int depth = 0;; depth++)
    {
      char head[SHEBANG_BUFFER_SIZE], *next = interpreters[depth % 2];
      _cleanup_close_ int rfd = -1;
      struct chain_file loader_file;
      ssize_t n;

      if (check_not_silo (&f, prog->name, silo_exe, err) < 0)
        return -1;
      n = read_head (rootfd, cwd, &f, head, sizeof head - 1, &rfd, err);
      if (n < 0)
        return silo_wrap (err, "exec `%s`", prog->name);
      if (shebang_interpreter (head, (size_t) n, next))
        {
          prog->script |= depth == 0;
          if (depth == SHEBANG_MAX_DEPTH)
            return silo_fail (err, ELOOP, "exec `%s`: more than %d levels of #! interpreters",
                              prog->name, SHEBANG_MAX_DEPTH);
          silo_closep (&owned);
          if (open_chain_file (rootfd, cwd, prog->name, "the #! interpreter", next, f.path, &f, err) < 0)
            return -1;
          owned = f.fd;
          continue;
        }
      if (rfd < 0 || !elf_interpreter (rfd, head, (size_t) n, loader, PATH_MAX))
        return 0;
      if (open_chain_file (rootfd, cwd, prog->name, "the ELF interpreter", loader, f.path,
                           &loader_file, err) < 0)
        return -1;
      silo_closep (&owned);
      owned = loader_file.fd;
      return check_not_silo (&loader_file, prog->name, silo_exe, err);
    }
}

/* ---- cwd ------------------------------------------------------------------------ */

/* The cwd's directory in the root, made when missing and CREATE says so.  */
static int
open_cwd (int rootfd, const char *cwd, bool create, struct silo_error **err)
{
  int fd = silo_openat2 (rootfd, cwd, O_PATH | O_DIRECTORY, 0, IN_ROOT);

  /* runc and crun make a missing cwd (0755, root's), each level inside the root.  */
  if (fd < 0 && errno == ENOENT && create)
    {
      fd = silo_mkdirs_in_root (rootfd, cwd, 0755, err);
      if (fd < 0)
        return silo_wrap (err, "process.cwd `%s`", cwd);
    }
  if (fd < 0 && errno == ELOOP)
    return silo_fail (err, ELOOP, "process.cwd `%s`: a symlink loop, or a /proc magic link "
                      "(/proc/PID/fd/N), which silo never follows inside a container", cwd);
  if (fd < 0)
    return silo_fail (err, errno, "process.cwd `%s`", cwd);
  return fd;
}

int
silo_enter_cwd (int rootfd, const char *cwd, bool create, struct silo_error **err)
{
  /* "/" in the root is the root itself (what RESOLVE_IN_ROOT makes of it): no lookup.  */
  bool top = strcmp (cwd, "/") == 0;
  _cleanup_close_ int fd = top ? -1 : open_cwd (rootfd, cwd, create, err);
  char where[PATH_MAX];

  if (!top && fd < 0)
    return -1;
  if (fchdir (top ? rootfd : fd) < 0)
    return silo_fail (err, errno, "process.cwd `%s`: fchdir", cwd);
  /* The raw system call: the kernel prefixes a directory the root cannot reach with
   * "(unreachable)", which glibc's getcwd would hide behind ENOENT.  */
  if (syscall (SYS_getcwd, where, sizeof where) < 0)
    return silo_fail (err, errno, "process.cwd `%s`: getcwd", cwd);
  if (where[0] != '/')
    return silo_fail (err, EXDEV, "process.cwd `%s`: outside the container's root (%s)", cwd,
                      where);
  return 0;
}

/* ---- the program ---------------------------------------------------------------- */

static char **
strv_view (char **items, size_t n)
{
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  if (n > 0)
    memcpy (v, items, n * sizeof (char *));
  return v;
}

static bool
env_has (const oci_process *p, const char *key)
{
  size_t len = strlen (key);

  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], key, len) == 0 && p->env[i][len] == '=')
      return true;
  return false;
}

/* The home directory of uid in the container's /etc/passwd ("name:x:uid:gid:gecos:home:
 * shell" lines), or NULL.  */
static char *
passwd_home (int rootfd, uint32_t uid)
{
  _cleanup_close_ int fd = silo_openat2 (rootfd, "/etc/passwd", O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, IN_ROOT);
  _cleanup_free_ char *text = NULL;
  char *save = NULL;
  struct stat st;
  size_t len;

  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > (1 << 22)
      || read_fd_all (fd, &text, &len, NULL) < 0)
    return NULL;
  for (char *line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char *field[7] = { NULL }, *p = line;
      long long id;

      for (int i = 0; i < 7 && p != NULL; i++)
        {
          field[i] = p;
          p = strchr (p, ':');
          if (p != NULL)
            *p++ = '\0';
        }
      if (field[5] != NULL && parse_long (field[2], &id) == 0 && id == (long long) uid
          && field[5][0] != '\0')
        return xstrdup (field[5]);
    }
  return NULL;
}

static char **
environment (int rootfd, const oci_process *p, char **home)
{
  char **v = xmalloc0 ((p->n_env + 2) * sizeof (char *));
  _cleanup_free_ char *dir = NULL;

  if (p->n_env > 0)
    memcpy (v, p->env, p->n_env * sizeof (char *));
  if (!env_has (p, "HOME"))
    {
      dir = passwd_home (rootfd, p->user.uid);
      *home = xasprintf ("HOME=%s", dir != NULL ? dir : "/");
      v[p->n_env] = *home;
    }
  return v;
}

void
silo_program_release (struct silo_program *prog)
{
  free (prog->home);
  prog->home = NULL;
  free (prog->path);
  free (prog->argv);
  free (prog->envp);
  prog->path = NULL;
  prog->argv = prog->envp = NULL;
}

int
silo_program_resolve (int rootfd, const oci_process *p, const struct stat *silo_exe,
                      struct silo_program *out, struct silo_error **err)
{
  struct chain_file first = { .fd = -1 };
  _cleanup_close_ int fd = -1;

  *out = (struct silo_program) { .name = p->args[0] };
  fd = find_program (rootfd, p->cwd, p->args[0], env_path (p), &out->path, &first.st, err);
  if (fd < 0)
    return -1;
  first.path = out->path;
  first.fd = fd;
  if (check_chain (rootfd, p->cwd, out, first, silo_exe, err) < 0)
    {
      silo_program_release (out);
      return -1;
    }
  out->argv = strv_view (p->args, p->n_args);
  out->envp = environment (rootfd, p, &out->home);
  return 0;
}

int
silo_program_exec (const struct silo_program *prog, struct silo_error **err)
{
  silo_nofile_lower ();
  execve (prog->path, prog->argv, prog->envp);
  return exec_error (prog->name, errno, true, err);
}
