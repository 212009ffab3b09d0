# Quick-run (silo run --rootfs): the synthesized config, the overlay root, Docker-style stop.
libsilo_a_SOURCES += src/lib/quickrun.c src/lib/quickrun.h src/lib/overlay.c src/lib/overlay.h \
	src/lib/container-stop.c

# The size, CPU and count flags, the name generator, the config quick-run synthesizes.
check_PROGRAMS += tests/unit/quickrun.test
tests_unit_quickrun_test_SOURCES = tests/unit/quickrun.c tests/unit/tap.h $(SILO_CMD_SOURCES)
TESTS += tests/unit/quickrun.test
