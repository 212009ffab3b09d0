# libocispec: owned by the libocispec maintainer
libsilo_a_SOURCES += libocispec/oci.h
