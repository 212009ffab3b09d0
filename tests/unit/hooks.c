/* Hooks: stdin, argv and env, fds, exit status and signal messages, timeouts that kill the
 * hook's whole process group.  The test is a child subreaper so that it can see the end
 * of everything a hook started.  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "tap.h"

static char dir[] = "/tmp/silo-hooks-test.XXXXXX";
static const char *state = "{\"ociVersion\":\"1.3.0\",\"id\":\"x\",\"status\":\"creating\"}";

static char *
path_in_dir (const char *name)
{
  static char path[4][512];
  static int next;
  char *p = path[next++ % 4];

  snprintf (p, 512, "%s/%s", dir, name);
  return p;
}

static char *
read_text (const char *name)
{
  static char text[256 * 1024];
  int fd = open (path_in_dir (name), O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, text, sizeof text - 1) : -1;

  if (fd >= 0)
    close (fd);
  text[n > 0 ? n : 0] = '\0';
  return text;
}

/* Run one `sh -c script` hook; returns the error text or NULL.  */
static char *
run_shell (const char *script, const char *json, int timeout, char **env, size_t n_env)
{
  char *args[] = { (char *) "sh", (char *) "-c", (char *) script };
  oci_hook hook = { .path = (char *) "/bin/sh", .args = args, .n_args = 3, .env = env,
                    .n_env = n_env, .has_timeout = timeout > 0, .timeout = timeout };
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (silo_hooks_run (&hook, 1, "prestart", json, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

static void
test_io (void)
{
  char script[1024], *env[] = { (char *) "FOO=bar" }, *msg;
  char *big = malloc (200 * 1024);

  snprintf (script, sizeof script, "cat > %s", path_in_dir ("stdin"));
  msg = run_shell (script, state, 0, NULL, 0);
  ok (msg == NULL && strcmp (read_text ("stdin"), state) == 0, "the state arrives on stdin");
  free (msg);

  snprintf (script, sizeof script, "echo \"$FOO:$HOME:$0:$1\" > %s", path_in_dir ("env"));
  msg = run_shell (script, state, 0, env, 1);
  is_str (read_text ("env"), "bar::sh:\n", "env is exactly the hook's, argv[0] is args[0]");
  free (msg);

  /* An fd silo leaves open without close-on-exec must not reach the hook.  */
  int leaked = dup2 (STDERR_FILENO, 42);
  msg = run_shell ("test -e /proc/self/fd/42 && exit 4; exit 0", state, 0, NULL, 0);
  ok (leaked == 42 && msg == NULL, "fds above 2 are closed in the hook%s%s", msg ? ": " : "",
      msg ? msg : "");
  close (42);
  free (msg);

  /* A state bigger than a default pipe, and a hook that never reads it.  */
  memset (big, 'x', 200 * 1024 - 1);
  big[200 * 1024 - 1] = '\0';
  msg = run_shell ("exit 0", big, 0, NULL, 0);
  ok (msg == NULL, "a large state that the hook ignores does not block%s%s", msg ? ": " : "",
      msg ? msg : "");
  free (msg);
  snprintf (script, sizeof script, "wc -c > %s", path_in_dir ("count"));
  msg = run_shell (script, big, 0, NULL, 0);
  ok (msg == NULL && atoi (read_text ("count")) == 200 * 1024 - 1, "a large state arrives whole");
  free (msg);
  free (big);
}

static void
test_argv0_and_order (void)
{
  char script_path[512], text[1024], *args_second[] = { (char *) "sh", (char *) "-c", NULL };
  oci_hook hooks[3] = { 0 };
  struct silo_error *err = NULL;
  int fd;

  /* No args: argv[0] is the path.  */
  snprintf (script_path, sizeof script_path, "%s", path_in_dir ("argv0.sh"));
  snprintf (text, sizeof text, "#!/bin/sh\necho \"$0\" >> %s\n", path_in_dir ("order"));
  fd = open (script_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  ok (fd >= 0 && write (fd, text, strlen (text)) == (ssize_t) strlen (text), "write a hook script");
  close (fd);
  snprintf (text, sizeof text, "echo second >> %s; exit 7", path_in_dir ("order"));
  args_second[2] = text;
  hooks[0] = (oci_hook) { .path = script_path };
  hooks[1] = (oci_hook) { .path = (char *) "/bin/sh", .args = args_second, .n_args = 3 };
  hooks[2] = hooks[0];
  ok (silo_hooks_run (hooks, 3, "createRuntime", state, &err) < 0 && err != NULL,
      "the second of three hooks fails");
  is_str (err != NULL ? err->msg : NULL,
          "createRuntime hook `/bin/sh` (hooks.createRuntime[1]) exited with status 7",
          "the message names the stage, path, index and status");
  silo_error_free (err);
  snprintf (text, sizeof text, "%s\nsecond\n", script_path);
  is_str (read_text ("order"), text, "hooks run in order, argv[0] = path without args, "
          "and none after a failure");
}

static void
test_failures (void)
{
  oci_hook relative = { .path = (char *) "bin/true" }, missing = { .path = (char *) "/nonexistent" };
  oci_hook zero = { .path = (char *) "/bin/true", .has_timeout = true, .timeout = 0 };
  struct silo_error *err = NULL;
  char *msg;

  msg = run_shell ("echo one; echo two >&2; echo boom >&2; exit 3", state, 0, NULL, 0);
  is_str (msg, "prestart hook `/bin/sh` (hooks.prestart[0]) exited with status 3: one; two; boom",
          "exit status and the last output lines");
  free (msg);
  msg = run_shell ("kill -TERM $$", state, 0, NULL, 0);
  is_str (msg, "prestart hook `/bin/sh` (hooks.prestart[0]) was killed by SIGTERM",
          "death by signal is named");
  free (msg);
  ok (silo_hooks_run (&missing, 1, "poststop", state, &err) < 0 && err != NULL
      && strcmp (err->msg, "poststop hook `/nonexistent` (hooks.poststop[0]): No such file or "
                 "directory") == 0, "a missing hook (%s)", err ? err->msg : "ran");
  silo_error_free (err);
  err = NULL;
  ok (silo_hooks_run (&relative, 1, "prestart", state, &err) < 0 && err != NULL
      && strstr (err->msg, "hooks.prestart[0].path: must be an absolute path") != NULL,
      "a relative path is refused");
  silo_error_free (err);
  err = NULL;
  ok (silo_hooks_run (&zero, 1, "prestart", state, &err) < 0 && err != NULL
      && strstr (err->msg, "hooks.prestart[0].timeout: must be greater than zero") != NULL,
      "a zero timeout is refused");
  silo_error_free (err);
}

static void
test_timeout (void)
{
  char script[1024], *msg;
  int status = 0;
  pid_t background, reaped;

  /* The hook leaves a background child in its process group and waits: both must die.  */
  snprintf (script, sizeof script, "sleep 60 & echo $! > %s; wait", path_in_dir ("pid"));
  msg = run_shell (script, state, 1, NULL, 0);
  ok (msg != NULL && strstr (msg, "did not finish within 1 s and was killed") != NULL,
      "a hook past its timeout is an error (%s)", msg ? msg : "finished");
  free (msg);
  background = (pid_t) atoi (read_text ("pid"));
  reaped = background > 0 ? waitpid (background, &status, 0) : -1;
  ok (reaped == background && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "the hook's background child was killed with it");
}

int
main (void)
{
  char command[600];

  if (mkdtemp (dir) == NULL || prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return 99;
  test_io ();
  test_argv0_and_order ();
  test_failures ();
  test_timeout ();
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
  snprintf (command, sizeof command, "rm -rf '%s'", dir);
  if (system (command) != 0)
    fprintf (stderr, "cleanup of %s failed\n", dir);
  return tap_done ();
}
