/* silo CLI: option parsing and --help, driven by each command's option table (cmd.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* getopt_long returns the short letter, or this plus the index for a long-only option.  */
#define LONG_ONLY_BASE 0x100
#define HELP_VALUE 'h'

static size_t
count_options (const struct silo_cmd *cmd)
{
  size_t n = 0;
  while (cmd->options[n].name != NULL)
    n++;
  return n;
}

/* The getopt_long tables: "+" stops at the first positional argument, ":" makes a missing
 * value come back as ':' rather than a message printed by getopt.  */
static void
build_getopt_tables (const struct silo_cmd *cmd, struct option *longopts, char *shortopts)
{
  size_t n = count_options (cmd), k = 0, s = 0;

  shortopts[s++] = '+';
  shortopts[s++] = ':';
  for (size_t i = 0; i < n; i++, k++)
    {
      const struct silo_cmd_option *o = &cmd->options[i];
      longopts[k] = (struct option) { o->name, o->value_name ? required_argument : no_argument,
                                      NULL, o->short_name ? o->short_name
                                                          : LONG_ONLY_BASE + (int) i };
      if (o->short_name)
        {
          shortopts[s++] = o->short_name;
          if (o->value_name)
            shortopts[s++] = ':';
        }
    }
  longopts[k++] = (struct option) { "help", no_argument, NULL, HELP_VALUE };
  longopts[k] = (struct option) { NULL, 0, NULL, 0 };
  shortopts[s++] = HELP_VALUE;
  shortopts[s] = '\0';
}

static int
option_index (const struct silo_cmd *cmd, int value)
{
  if (value >= LONG_ONLY_BASE)
    return value - LONG_ONLY_BASE;
  for (int i = 0; cmd->options[i].name != NULL; i++)
    if (cmd->options[i].short_name == value)
      return i;
  return -1;
}

/* Name of the option in a failing argv element: "--foo" of "--foo=bar", or "-x".  */
static char *
offending_option (const char *element, int short_letter)
{
  if (strncmp (element, "--", 2) == 0)
    return xasprintf ("%.*s", (int) strcspn (element, "="), element);
  if (short_letter > 0 && short_letter < LONG_ONLY_BASE)
    return xasprintf ("-%c", short_letter);
  return xstrdup (element);
}

static int
getopt_error (const struct silo_cmd *cmd, int ret, const char *element, struct silo_error **err)
{
  int found = option_index (cmd, optopt);
  bool known = optopt != 0 && (found >= 0 || optopt == HELP_VALUE);
  _cleanup_free_ char *name = offending_option (element, optopt);

  if (ret == ':')
    return silo_fail (err, 0, "option `%s` of `%s` needs a value", name, cmd->name);
  if (known && strncmp (element, "--", 2) == 0)
    return silo_fail (err, 0, "option `%s` of `%s` takes no value", name, cmd->name);
  if (strcmp (cmd->name, "silo") == 0)
    return silo_fail (err, 0, "unknown global option `%s` (see `silo --help`)", name);
  return silo_fail (err, 0, "unknown option `%s` for `%s` (see `silo %s --help`)", name,
                    cmd->name, cmd->name);
}

/* getopt_long takes any unambiguous prefix ("--bun" for "--bundle"); runc and crun do
 * not, and a prefix that becomes ambiguous when a flag is added would break scripts.  */
static bool
long_name_spelled_out (const char *element, const char *name)
{
  size_t len = strcspn (element + 2, "=");
  return strncmp (element, "--", 2) == 0 && strlen (name) == len
         && strncmp (element + 2, name, len) == 0;
}

static int
check_arg_count (const struct silo_cmd *cmd, int n, struct silo_error **err)
{
  if (n >= cmd->min_args && (cmd->max_args < 0 || n <= cmd->max_args))
    return 0;
  if (cmd->max_args == 0)
    return silo_fail (err, 0, "`%s` takes no arguments, got %d", cmd->name, n);
  if (cmd->max_args < 0)
    return silo_fail (err, 0, "`%s` needs at least %d argument%s: %s (got %d)", cmd->name,
                      cmd->min_args, cmd->min_args == 1 ? "" : "s", cmd->args_usage, n);
  if (cmd->min_args == cmd->max_args)
    return silo_fail (err, 0, "`%s` needs exactly %d argument%s: %s (got %d)", cmd->name,
                      cmd->min_args, cmd->min_args == 1 ? "" : "s", cmd->args_usage, n);
  return silo_fail (err, 0, "`%s` needs %d to %d arguments: %s (got %d)", cmd->name,
                    cmd->min_args, cmd->max_args, cmd->args_usage, n);
}

int
silo_cmd_parse (const struct silo_cmd *cmd, int argc, char **argv, silo_cmd_option_fn fn,
                void *data, char ***args, int *n_args, struct silo_error **err)
{
  size_t n = count_options (cmd);
  _cleanup_free_ struct option *longopts = xmalloc0 ((n + 2) * sizeof (*longopts));
  _cleanup_free_ char *shortopts = xmalloc0 (3 * n + 4);
  int ret;

  build_getopt_tables (cmd, longopts, shortopts);
  opterr = 0;
  optind = 0;   /* 0, not 1: GNU getopt then resets all of its state for this argv */
  for (;;)
    {
      int current = optind == 0 ? 1 : optind, long_index = -1;
      const char *element = current < argc ? argv[current] : "";

      ret = getopt_long (argc, argv, shortopts, longopts, &long_index);
      if (ret == -1)
        break;
      if (ret == '?' || ret == ':')
        return getopt_error (cmd, ret, element, err);
      if (long_index >= 0 && !long_name_spelled_out (element, longopts[long_index].name))
        {
          _cleanup_free_ char *name = offending_option (element, 0);
          return silo_fail (err, 0, "unknown option `%s` for `%s` (did you mean `--%s`?)",
                            name, cmd->name, longopts[long_index].name);
        }
      if (ret == HELP_VALUE)
        return 1;
      if (fn != NULL && fn (data, option_index (cmd, ret), optarg, err) < 0)
        return -1;
    }
  *args = argv + optind;
  *n_args = argc - optind;
  return check_arg_count (cmd, *n_args, err);
}

void
silo_cmd_print_usage (const struct silo_cmd *cmd, FILE *out)
{
  if (strcmp (cmd->name, "silo") == 0)
    fprintf (out, "Usage: silo %s\n\n%s\n", cmd->args_usage, cmd->summary);
  else
    fprintf (out, "Usage: silo %s [OPTIONS]%s%s\n\n%s\n", cmd->name,
             *cmd->args_usage ? " " : "", cmd->args_usage, cmd->summary);
}

static int
option_label (const struct silo_cmd_option *o, char *buf, size_t size)
{
  char letter[5] = "    ";   /* "-b, " or as many blanks */

  if (o->short_name)
    snprintf (letter, sizeof (letter), "-%c, ", o->short_name);
  return snprintf (buf, size, "%s--%s%s%s", letter, o->name, o->value_name ? " " : "",
                   o->value_name ? o->value_name : "");
}

void
silo_cmd_print_options (const struct silo_cmd *cmd, FILE *out)
{
  static const struct silo_cmd_option help = { "help", 'h', NULL, "show this help" };
  size_t n = count_options (cmd);
  int width = 0;
  char label[128];

  for (size_t i = 0; i <= n; i++)
    {
      int len = option_label (i < n ? &cmd->options[i] : &help, label, sizeof (label));
      width = len > width ? len : width;
    }
  fprintf (out, "\n%s:\n", strcmp (cmd->name, "silo") == 0 ? "Global options" : "Options");
  for (size_t i = 0; i <= n; i++)
    {
      const struct silo_cmd_option *o = i < n ? &cmd->options[i] : &help;
      option_label (o, label, sizeof (label));
      fprintf (out, "  %-*s  %s\n", width, label, o->help);
    }
}

int
silo_cmd_begin (const struct silo_cmd *cmd, int argc, char **argv, silo_cmd_option_fn fn,
                void *data, char ***args, int *n_args, struct silo_error **err)
{
  int ret = silo_cmd_parse (cmd, argc, argv, fn, data, args, n_args, err);

  if (ret == 1)
    {
      silo_cmd_print_usage (cmd, stdout);
      silo_cmd_print_options (cmd, stdout);
    }
  return ret;
}
