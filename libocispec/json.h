/* libocispec internal: the JSON layer.  Only files in libocispec/ include this header; it
 * is the one place that knows yajl.
 *
 * Input: json_parse() drives yajl's event parser (never yajl_tree, which recurses without
 * bound and crashes on deeply nested input) and builds a read-only document in one arena:
 * one pass, no per-node malloc, nesting capped at JSON_MAX_DEPTH.  Strings keep their
 * length (a JSON string may hold "\u0000") and are NUL-terminated; numbers keep their text
 * so that the full int64 and uint64 ranges survive.
 *
 * Output: the generators write compact JSON with yajl_gen; json_indent() turns that into
 * the indented form of Go's json.MarshalIndent, optionally with Go's string escaping, so
 * `silo state` prints byte for byte what runc prints.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_OCI_JSON_H
#define SILO_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "error.h"

#define JSON_MAX_DEPTH 200

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_OBJECT, JSON_ARRAY };

struct json_member;

struct json_value
{
  enum json_type type;
  bool boolean;
  size_t len;   /* string, number: bytes of text; object: members; array: items */
  union
  {
    const char *text;               /* string, number */
    struct json_member *members;    /* object, in document order */
    struct json_value *items;       /* array */
  };
};

struct json_member
{
  const char *key;
  size_t key_len;
  struct json_value value;
};

struct json_document;

/* check_utf8: reject strings that are not valid UTF-8 (config.json); silo's own files
 * may carry host paths in any encoding and are read back with it off.  */
int json_parse (const char *text, size_t len, bool check_utf8, struct json_document **out,
                struct silo_error **err);
const struct json_value *json_document_root (const struct json_document *doc);
void json_document_free (struct json_document *doc);

/* "a string", "an object", "null" ... for "expected X, got Y" messages.  */
const char *json_describe (const struct json_value *v);

/* The last member named key, or NULL.  */
const struct json_value *json_object_get (const struct json_value *object, const char *key);

/* ---- output ---- */

yajl_gen json_gen_new (void);
void json_gen_key (yajl_gen g, const char *key);
void json_gen_text (yajl_gen g, const char *s);     /* NULL writes null */
void json_gen_u64 (yajl_gen g, uint64_t v);
void json_gen_i64 (yajl_gen g, int64_t v);
/* Hand over what g wrote as a malloc'd NUL-terminated string, and free g.  */
char *json_gen_finish (yajl_gen g, size_t *len);

/* Re-indent compact JSON (as json_gen writes it) with two spaces, empty containers kept as
 * {} and [], no trailing newline.  go_strings: escape strings as Go's encoding/json does
 * (<, >, & as \u003c \u003e \u0026, U+2028/9 escaped, lowercase hex, invalid UTF-8 as
 * \ufffd).  */
char *json_indent (const char *compact, size_t len, bool go_strings, size_t *out_len);

#endif
