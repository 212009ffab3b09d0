# The CLI: global options, the command table and one thin file per command.
bin_PROGRAMS = silo
silo_SOURCES = \
	src/silo.c src/cmd/cmd.h src/cmd/options.c src/cmd/table.c \
	src/cmd/create.c src/cmd/start.c src/cmd/run.c src/cmd/state.c \
	src/cmd/kill.c src/cmd/delete.c src/cmd/list.c src/cmd/spec.c src/cmd/features.c
silo_LDADD = $(SILO_LIBS)

# `silo spec` and `silo features` live in the library (the CLI files make no syscalls).
libsilo_a_SOURCES += src/lib/spec.c src/lib/silo-spec.h src/lib/features.c

# Option parsing, the list table, timestamps, the default spec, --help against the man page.
check_PROGRAMS += tests/unit/cli.test
tests_unit_cli_test_SOURCES = tests/unit/cli.c tests/unit/tap.h \
	src/cmd/cmd.h src/cmd/options.c src/cmd/table.c \
	src/cmd/create.c src/cmd/start.c src/cmd/run.c src/cmd/state.c \
	src/cmd/kill.c src/cmd/delete.c src/cmd/list.c src/cmd/spec.c src/cmd/features.c
TESTS += tests/unit/cli.test
