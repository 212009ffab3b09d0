/* silo list: the containers under --root, as a table, as JSON or as ids, in the formats
 * `runc list` prints (tools parse them).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "oci.h"
#include "util.h"

enum { LIST_OPTION_QUIET, LIST_OPTION_FORMAT };

static const struct silo_cmd_option list_options[] = {
  { "quiet", 'q', NULL, "print the container ids only" },
  { "format", 'f', "FORMAT", "table (default) or json" },
  { NULL },
};

struct list_options
{
  bool quiet, json;
};

static int
list_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct list_options *opts = data;

  if (option == LIST_OPTION_QUIET)
    opts->quiet = true;
  else if (strcmp (value, "table") == 0 || strcmp (value, "json") == 0)
    opts->json = strcmp (value, "json") == 0;
  else
    return silo_fail (err, 0, "--format: unknown value `%s`; use table or json", value);
  return 0;
}

static void
print_table (const struct silo_container_info *list, size_t n)
{
  static const char *const header[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  const size_t columns = SILO_ARRAY_SIZE (header);
  _cleanup_free_ const char **cells = xmalloc0 ((n + 1) * columns * sizeof (*cells));
  _cleanup_strv_ char **owned = xmalloc0 ((2 * n + 1) * sizeof (*owned));

  memcpy (cells, header, sizeof (header));
  for (size_t i = 0; i < n; i++)
    {
      const char **row = cells + (i + 1) * columns;
      owned[2 * i] = xasprintf ("%d", list[i].pid);
      owned[2 * i + 1] = silo_cmd_rfc3339_nano (list[i].created);
      row[0] = list[i].id;
      row[1] = owned[2 * i];
      row[2] = list[i].status;
      row[3] = list[i].bundle;
      row[4] = owned[2 * i + 1];
      row[5] = list[i].owner;
    }
  silo_cmd_print_table (stdout, cells, n + 1, columns);
}

/* One line, as runc's json.Encoder writes it; `null` when there are no containers.  */
static void
print_json (const struct silo_container_info *list, size_t n)
{
  oci_json_writer *w = oci_json_writer_new (false);
  _cleanup_free_ char *json = NULL;

  oci_json_begin_array (w);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *created = silo_cmd_rfc3339_nano (list[i].created);
      oci_json_begin_object (w);
      oci_json_key (w, "ociVersion");
      oci_json_string (w, OCI_SPEC_VERSION);
      oci_json_key (w, "id");
      oci_json_string (w, list[i].id);
      oci_json_key (w, "pid");
      oci_json_int (w, list[i].pid);
      oci_json_key (w, "status");
      oci_json_string (w, list[i].status);
      oci_json_key (w, "bundle");
      oci_json_string (w, list[i].bundle);
      oci_json_key (w, "rootfs");
      oci_json_string (w, list[i].rootfs);
      oci_json_key (w, "created");
      oci_json_string (w, created);
      oci_json_key (w, "owner");
      oci_json_string (w, list[i].owner);
      oci_json_end_object (w);
    }
  oci_json_end_array (w);
  json = oci_json_writer_finish (w, NULL);
  printf ("%s\n", n > 0 ? json : "null");
}

static int
run_list (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct list_options opts = { 0 };
  struct silo_container_info *list = NULL;
  size_t n = 0;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_list, argc, argv, list_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_list (ctx, &list, &n, err) < 0)
    return -1;
  if (opts.quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", list[i].id);
  else if (opts.json)
    print_json (list, n);
  else
    print_table (list, n);
  silo_container_info_free (list, n);
  return 0;
}

const struct silo_cmd silo_cmd_list = {
  "list", "", "list the containers under --root",
  list_options, 0, 0, run_list,
};
