# The man page: docs/silo.1.md turned into roff by docs/md2man.awk (awk only: no pandoc or
# go-md2man to install).  Built by `make`, installed by `make install` in man1.
man1_MANS = silo.1
silo.1: $(srcdir)/docs/silo.1.md $(srcdir)/docs/md2man.awk
	$(AM_V_GEN)$(AWK) -f $(srcdir)/docs/md2man.awk $(srcdir)/docs/silo.1.md >$@.tmp && mv $@.tmp $@
CLEANFILES = silo.1 silo.1.tmp

# Shell completion: it reads `silo --help` when TAB is pressed (see the scripts).
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = contrib/completion/bash/silo
zshcompletiondir = $(datadir)/zsh/site-functions
zshcompletion_DATA = contrib/completion/zsh/_silo

# docs/spec-coverage.md: every config.json property (walked from libocispec's tables by
# tests/spec-coverage/fields) with the files that implement it and the tests that name it.
# `make spec-coverage` writes it again; tests/docs.bats checks it is current.
check_PROGRAMS += tests/spec-coverage/fields
tests_spec_coverage_fields_SOURCES = tests/spec-coverage/fields.c
spec-coverage: tests/spec-coverage/fields
	$(SHELL) $(srcdir)/tests/spec-coverage/generate.sh tests/spec-coverage/fields \
		>$(srcdir)/docs/spec-coverage.md.tmp
	mv $(srcdir)/docs/spec-coverage.md.tmp $(srcdir)/docs/spec-coverage.md
.PHONY: spec-coverage
