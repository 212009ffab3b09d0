# libocispec: owned by the libocispec maintainer
libsilo_a_SOURCES += libocispec/oci.h
libsilo_a_SOURCES += \
	libocispec/json.c libocispec/json-output.c libocispec/json.h \
	libocispec/spec.h libocispec/spec-parse.c libocispec/spec-generate.c \
	libocispec/config.c libocispec/config-check.c libocispec/config-check.h \
	libocispec/state-json.c libocispec/features-json.c libocispec/writer.c

check_PROGRAMS += tests/unit/oci-config.test tests/unit/oci-errors.test \
	tests/unit/oci-state.test tests/unit/oci-large.test
tests_unit_oci_config_test_SOURCES = tests/unit/oci-config.c tests/unit/tap.h
tests_unit_oci_errors_test_SOURCES = tests/unit/oci-errors.c tests/unit/tap.h
tests_unit_oci_state_test_SOURCES = tests/unit/oci-state.c tests/unit/tap.h
tests_unit_oci_large_test_SOURCES = tests/unit/oci-large.c tests/unit/tap.h
TESTS += tests/unit/oci-config.test tests/unit/oci-errors.test \
	tests/unit/oci-state.test tests/unit/oci-large.test
tests_unit_oci_config_test_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
