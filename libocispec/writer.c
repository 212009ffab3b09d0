/* libocispec: oci_json_writer, the small JSON writer the CLI uses for its own output
 * (`list -f json`, JSON log lines).  A thin layer over yajl_gen: text that is not UTF-8
 * (a path, an error message) is written with U+FFFD in place of the bad bytes, so the
 * output always parses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "util.h"

struct oci_json_writer
{
  yajl_gen g;
  bool pretty;
};

oci_json_writer *
oci_json_writer_new (bool pretty)
{
  oci_json_writer *w = xmalloc0 (sizeof (*w));
  w->g = json_gen_new ();
  w->pretty = pretty;
  return w;
}

void
oci_json_begin_object (oci_json_writer *w)
{
  yajl_gen_map_open (w->g);
}

void
oci_json_end_object (oci_json_writer *w)
{
  yajl_gen_map_close (w->g);
}

void
oci_json_begin_array (oci_json_writer *w)
{
  yajl_gen_array_open (w->g);
}

void
oci_json_end_array (oci_json_writer *w)
{
  yajl_gen_array_close (w->g);
}

static void
write_text (oci_json_writer *w, const char *s)
{
  size_t len = strlen (s), i = 0, n;
  _cleanup_free_ char *clean = NULL;

  while (i < len && (n = utf8_sequence ((const unsigned char *) s + i, len - i)) > 0)
    i += n;
  if (i < len)
    {
      clean = utf8_sanitize (s, len, &len);
      s = clean;
    }
  yajl_gen_string (w->g, (const unsigned char *) s, len);
}

void
oci_json_key (oci_json_writer *w, const char *key)
{
  write_text (w, key != NULL ? key : "");
}

void
oci_json_string (oci_json_writer *w, const char *s)
{
  if (s == NULL)
    yajl_gen_null (w->g);
  else
    write_text (w, s);
}

void
oci_json_int (oci_json_writer *w, long long v)
{
  yajl_gen_integer (w->g, v);
}

void
oci_json_bool (oci_json_writer *w, bool v)
{
  yajl_gen_bool (w->g, v);
}

char *
oci_json_writer_finish (oci_json_writer *w, size_t *len)
{
  bool indent = w->pretty;
  size_t n = 0;
  char *text = json_gen_finish (w->g, &n), *pretty;

  free (w);
  if (len != NULL)
    *len = n;
  if (!indent)
    return text;
  pretty = json_indent (text, n, false, len);
  free (text);
  return pretty;
}

/* The reader for the small files silo writes with the writer above (descriptors.json of
 * a checkpoint): a JSON array of strings.  */
int
oci_json_string_array_parse (const char *text, size_t len, char ***out, struct silo_error **err)
{
  struct json_document *doc = NULL;
  const struct json_value *root;
  char **strings;

  if (json_parse (text, len, false, &doc, err) < 0)
    return -1;
  root = json_document_root (doc);
  if (root->type != JSON_ARRAY)
    {
      json_document_free (doc);
      return silo_fail (err, EINVAL, "expected an array of strings, got %s", json_describe (root));
    }
  strings = xmalloc0 ((root->len + 1) * sizeof (*strings));
  for (size_t i = 0; i < root->len; i++)
    strings[i] = xstrdup (root->items[i].type == JSON_STRING ? root->items[i].text : "");
  json_document_free (doc);
  *out = strings;
  return 0;
}
