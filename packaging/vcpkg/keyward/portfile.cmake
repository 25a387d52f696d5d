# vcpkg port of keyward (header-only). As an overlay port it builds the keyward checkout it lies in, or the
# tree named by the environment variable KEYWARD_SOURCE_DIR; tools/vcpkg_registry_port.py turns it into a
# registry port by replacing the source block below with the download of a release archive and its SHA512.
# See packaging/vcpkg/README.md.
set(VCPKG_BUILD_TYPE release)  # header-only: nothing differs between debug and release
# No ELF file is installed, so the RPATH fixup has nothing to do; left on, it would look at `usage` and need
# patchelf, which vcpkg downloads when the system has none (impossible offline).
set(VCPKG_FIXUP_ELF_RPATH OFF)

# BEGIN source
if(DEFINED ENV{KEYWARD_SOURCE_DIR})
    file(REAL_PATH "$ENV{KEYWARD_SOURCE_DIR}" SOURCE_PATH)
else()
    # This port is packaging/vcpkg/keyward of a checkout: use that checkout, but only if it really is one
    # (a copy of the port elsewhere, e.g. in a registry, must not pick up whatever lies three levels up).
    file(REAL_PATH "${CURRENT_PORT_DIR}/../../.." SOURCE_PATH)
    file(REAL_PATH "${CURRENT_PORT_DIR}" z_keyward_port_dir)
    set(z_keyward_checkout_port_dir "${SOURCE_PATH}/packaging/vcpkg/keyward")
    if(EXISTS "${z_keyward_checkout_port_dir}")
        file(REAL_PATH "${z_keyward_checkout_port_dir}" z_keyward_checkout_port_dir)
    endif()
    if(NOT z_keyward_checkout_port_dir STREQUAL z_keyward_port_dir
       OR NOT EXISTS "${SOURCE_PATH}/include/keyward/version.hpp")
        message(FATAL_ERROR "The keyward port at ${CURRENT_PORT_DIR} is not inside a keyward checkout: "
                            "set KEYWARD_SOURCE_DIR to a keyward source tree.")
    endif()
endif()
if(NOT EXISTS "${SOURCE_PATH}/CMakeLists.txt" OR NOT EXISTS "${SOURCE_PATH}/include/keyward/version.hpp")
    message(FATAL_ERROR "${SOURCE_PATH} is not a keyward source tree")
endif()
# The source must be the release this port describes.
file(STRINGS "${SOURCE_PATH}/include/keyward/version.hpp" z_keyward_version_line
     REGEX "version_string = \"[^\"]*\"")
string(REGEX MATCH "\"([^\"]*)\"" z_keyward_unused "${z_keyward_version_line}")
if(NOT CMAKE_MATCH_1 STREQUAL VERSION)
    message(FATAL_ERROR "${SOURCE_PATH} is keyward ${CMAKE_MATCH_1}, this port is ${VERSION}")
endif()
# vcpkg hashes only the port's files, so it cannot see a change in the tree: `vcpkg remove keyward` first.
message(STATUS "Using keyward sources at ${SOURCE_PATH}")
# END source

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup()  # the package files are installed into share/keyward already

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
