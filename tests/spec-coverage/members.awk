# libocispec/config.c -> "JSON-PATH<TAB>C-STRUCT<TAB>MEMBER" for every property of its
# tables, walked from config_fields as tests/spec-coverage/fields walks them in C (the
# paths agree; generate.sh joins the two).  Reads the macros the tables are written in:
#   OCI_FIELD (TYPE, "json", KIND, member, ... .spec = &child_spec ...)
#   OPTIONAL (TYPE, "json", KIND, member, ...)      STRINGS_OF (TYPE, "json", member, ...)
#   OBJECTS_OF (TYPE, "json", member, child_spec)   INLINE_VIEW (TYPE, "json", has_x, child_spec)
#   static const struct oci_spec NAME = OCI_SPEC (TYPE, FIELDS, ...)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

{ text = text " " $0 }

function trim(s)
{
	gsub(/^[ \t]+|[ \t]+$/, "", s)
	return s
}

# The entries of the array FIELDS ("user_fields"), in entries[FIELDS, 1..n].
function read_array(name,    start, body, rest, n, macro, i, entry)
{
	start = index(text, "oci_field " name "[] = {")
	if (start == 0)
		return
	rest = substr(text, start)
	body = substr(rest, 1, index(rest, "};"))
	n = 0
	while (match(body, /(OCI_FIELD|OPTIONAL|STRINGS_OF|OBJECTS_OF|INLINE_VIEW) \(/)) {
		body = substr(body, RSTART)
		i = match(substr(body, 2), /(OCI_FIELD|OPTIONAL|STRINGS_OF|OBJECTS_OF|INLINE_VIEW) \(/)
		entry = i ? substr(body, 1, i) : body
		body = i ? substr(body, i + 1) : ""
		entries[name, ++n] = entry
	}
	count[name] = n
}

function walk(fields, prefix,    i, entry, macro, args, n, type, json, member, child, path, kind)
{
	read_array(fields)
	for (i = 1; i <= count[fields]; i++) {
		entry = entries[fields, i]
		macro = substr(entry, 1, index(entry, " (") - 1)
		n = split(substr(entry, index(entry, "(") + 1), args, ",")
		type = trim(args[1])
		json = trim(args[2])
		gsub(/"/, "", json)
		kind = trim(args[3])
		member = (macro == "STRINGS_OF" || macro == "OBJECTS_OF" || macro == "INLINE_VIEW") ? kind : trim(args[4])
		sub(/\).*/, "", member)
		if (macro == "INLINE_VIEW")
			sub(/^has_/, "", member)
		path = prefix (prefix == "" ? "" : ".") json
		print path "\t" type "\t" member
		child = ""
		if (macro == "OBJECTS_OF" || macro == "INLINE_VIEW") {
			child = trim(args[4])
			sub(/\).*/, "", child)
		} else if (match(entry, /\.spec = &[a-z_]+/)) {
			child = substr(entry, RSTART + 9, RLENGTH - 9)
		}
		if (child == "")
			continue
		if (kind == "OCI_OBJECTS" || macro == "OBJECTS_OF")
			path = path "[]"
		else if (kind == "OCI_KEYED")
			path = path ".*"
		walk(spec_fields[child], path)
	}
}

END {
	# comments out, then every "NAME = OCI_SPEC (TYPE, FIELDS"
	while (match(text, /\/\*/)) {
		rest = substr(text, RSTART + 2)
		text = substr(text, 1, RSTART - 1) " " substr(rest, index(rest, "*/") + 2)
	}
	rest = text
	while (match(rest, /oci_spec [a-z_]+ *= *OCI_SPEC \([a-z_]+, [a-z_]+/)) {
		decl = substr(rest, RSTART, RLENGTH)
		rest = substr(rest, RSTART + RLENGTH)
		split(decl, words, /[ (,=]+/)
		spec_fields[words[2]] = words[5]
	}

	walk("config_fields", "")
}
