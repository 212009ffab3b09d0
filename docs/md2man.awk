# docs/silo.1.md -> silo.1 (roff, the man(7) macros).  Usage: awk -f md2man.awk silo.1.md
#
# The Markdown that silo.1.md is written in, and nothing more (pandoc's man page dialect):
#   % NAME(SECTION) SOURCE | MANUAL      the title line, first
#   # HEADING, ## HEADING                 .SH, .SS
#   TERM                                  a definition (.TP); its text may go on over lines
#   :   TEXT                              indented by four blanks
#   - ITEM                                a bullet (.IP); continued by indented lines
#   ``` ... ```                           a literal block (.nf)
#   **bold**, _italic_, `code`            bold, italic, bold (code is taken as it is)
# A blank line ends a paragraph.  Written here, so that building the man page needs only
# awk (which configure already requires), not pandoc or go-md2man.
#
# SPDX-License-Identifier: GPL-2.0-or-later

# Escape what roff would read as a request or an escape: backslashes, and a dot or quote
# starting a line; "-" becomes \- so that an option copied from the page is a real minus.
function roff_escape(s)
{
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}

function line_start(s)
{
	return (s ~ /^[.']/) ? "\\&" s : s
}

function font(bold, italic)
{
	if (bold && italic)
		return "\\f(BI"
	if (bold)
		return "\\fB"
	if (italic)
		return "\\fI"
	return "\\fR"
}

# An underscore opens italics after a non-word character, when a closing one follows: an
# underscore after a non-blank, then a non-word character or the end.  Underscores within
# words (SILO_LOCK_TIMEOUT) are letters.
function opens_italic(s, i,    rest)
{
	if (i > 1 && substr(s, i - 1, 1) ~ /[A-Za-z0-9]/)
		return 0
	if (substr(s, i + 1, 1) ~ /^[ \t]?$/)
		return 0
	rest = substr(s, i + 1)
	return rest ~ /[^ \t]_([^A-Za-z0-9]|$)/ || rest ~ /^[^ \t]_([^A-Za-z0-9]|$)/
}

function closes_italic(s, i)
{
	return substr(s, i - 1, 1) !~ /[ \t]/ && substr(s, i + 1, 1) !~ /[A-Za-z0-9]/
}

# Inline markup of one line of text -> roff, with the font back to roman at its end.
function inline(s,    out, i, c, bold, italic, end, text)
{
	out = ""
	bold = italic = 0
	text = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "`" && (end = index(substr(s, i + 1), "`")) > 0) {
			out = out roff_escape(text) font(1, italic) roff_escape(substr(s, i + 1, end - 1)) font(bold, italic)
			text = ""
			i += end
		} else if (substr(s, i, 2) == "**") {
			bold = !bold
			out = out roff_escape(text) font(bold, italic)
			text = ""
			i++
		} else if (c == "_" && !italic && opens_italic(s, i)) {
			italic = 1
			out = out roff_escape(text) font(bold, italic)
			text = ""
		} else if (c == "_" && italic && closes_italic(s, i)) {
			italic = 0
			out = out roff_escape(text) font(bold, italic)
			text = ""
		} else {
			text = text c
		}
	}
	out = out roff_escape(text)
	if (bold || italic)
		out = out "\\fR"
	return line_start(out)
}

function title(s,    name, section, parts, n, source, manual)
{
	sub(/^%[ \t]*/, "", s)
	n = split(s, parts, /[ \t]*\|[ \t]*/)
	manual = n > 1 ? parts[2] : ""
	source = parts[1]
	name = source
	sub(/[ \t].*/, "", name)
	sub(/^[^ \t]*[ \t]*/, "", source)
	section = name
	sub(/^[^(]*\(/, "", section)
	sub(/\).*/, "", section)
	sub(/\(.*/, "", name)
	printf ".TH \"%s\" \"%s\" \"\" \"%s\" \"%s\"\n", name, section, source, manual
}

{
	lines[NR] = $0
}

# Each of these prints the construct starting at line n and returns the last line it used.

function code_block(n)
{
	print ".PP"
	print ".RS 4"
	print ".nf"
	for (n++; n <= NR && lines[n] !~ /^```/; n++)
		print line_start(roff_escape(lines[n]))
	print ".fi"
	print ".RE"
	return n
}

# ":   TEXT" defines the term printed just before; lines indented by four go on with it.
function definition(n,    s)
{
	s = lines[n]
	sub(/^:   /, "", s)
	print inline(s)
	for (; n + 1 <= NR && lines[n + 1] ~ /^    [^ ]/; n++) {
		s = lines[n + 1]
		sub(/^    /, "", s)
		print inline(s)
	}
	return n
}

function bullet(n,    s)
{
	s = lines[n]
	sub(/^- /, "", s)
	print ".IP \\(bu 2"
	print inline(s)
	for (; n + 1 <= NR && lines[n + 1] ~ /^  [^ ]/; n++) {
		s = lines[n + 1]
		sub(/^ +/, "", s)
		print inline(s)
	}
	return n
}

function heading(macro, s)
{
	sub(/^#+ +/, "", s)
	print macro " " (macro == ".SH" ? toupper(s) : s)
}

END {
	paragraph = 0       # inside running text, after a .PP / .TP / .IP
	for (n = 1; n <= NR; n++) {
		s = lines[n]
		if (n == 1 && s ~ /^%/) {
			title(s)
			print ".nh"   # no hyphenation: option names stay whole
			print ".ad l"
		} else if (s ~ /^```/) {
			n = code_block(n)
			paragraph = 0
		} else if (s ~ /^[ \t]*$/) {
			paragraph = 0
		} else if (s ~ /^##? /) {
			heading(s ~ /^# / ? ".SH" : ".SS", s)
			paragraph = 0
		} else if (s ~ /^:   / && n > 1) {
			n = definition(n)
			paragraph = 1
		} else if (!paragraph && n < NR && lines[n + 1] ~ /^:   /) {
			print ".TP"
			print inline(s)
		} else if (s ~ /^- /) {
			n = bullet(n)
			paragraph = 1
		} else {
			if (!paragraph)
				print ".PP"
			paragraph = 1
			print inline(s)
		}
	}
}
