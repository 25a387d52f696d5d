# Runs a keyward vcpkg portfile with plain CMake, without vcpkg: defines minimal stand-ins for the vcpkg
# functions the port calls (each does what vcpkg's does for a header-only, release-only port on Linux) and
# includes the portfile, so that its source selection and its build and install steps are checked in CI.
# Used by tests/install/run.sh:
#
#   cmake -DPORT_DIR=<port dir> -DPACKAGES_DIR=<stage> -DBUILD_DIR=<scratch> [-DDOWNLOADS=<dir>]
#         [-DCXX=<compiler>] -P tests/install/vcpkg_portfile.cmake
#
# DOWNLOADS holds the archives a registry port downloads (vcpkg's downloads/ cache), checked by SHA512.
cmake_minimum_required(VERSION 3.19)

foreach(var IN ITEMS PORT_DIR PACKAGES_DIR BUILD_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is not set")
  endif()
endforeach()

# What vcpkg's scripts/ports.cmake sets before it includes a portfile.
set(PORT keyward)
set(CURRENT_PORT_DIR "${PORT_DIR}")
set(CURRENT_PACKAGES_DIR "${PACKAGES_DIR}")
set(CURRENT_BUILDTREES_DIR "${BUILD_DIR}")
file(READ "${PORT_DIR}/vcpkg.json" manifest)
string(JSON VERSION GET "${manifest}" version-semver)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}")
file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")

function(z_check_no_extra_arguments)
  if(DEFINED arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${CMAKE_CURRENT_FUNCTION}: unexpected arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
endfunction()

function(z_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}")
  endif()
endfunction()

# vcpkg_download_distfile: the archive must already be in DOWNLOADS (no network) with the port's SHA512.
function(vcpkg_download_distfile out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FILENAME;SHA512" "URLS")
  z_check_no_extra_arguments()
  set(archive "${DOWNLOADS}/${arg_FILENAME}")
  if(NOT EXISTS "${archive}")
    message(FATAL_ERROR "vcpkg_download_distfile: ${archive} missing (this check runs offline)")
  endif()
  file(SHA512 "${archive}" actual)
  if(NOT actual STREQUAL arg_SHA512)
    message(FATAL_ERROR "vcpkg_download_distfile: SHA512 of ${archive} is ${actual}, the port says ${arg_SHA512}")
  endif()
  set(${out_var} "${archive}" PARENT_SCOPE)
endfunction()

# vcpkg_extract_source_archive: extracts and strips the single top-level directory.
function(vcpkg_extract_source_archive out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "ARCHIVE" "")
  z_check_no_extra_arguments()
  set(dir "${CURRENT_BUILDTREES_DIR}/src")
  file(REMOVE_RECURSE "${dir}")
  file(ARCHIVE_EXTRACT INPUT "${arg_ARCHIVE}" DESTINATION "${dir}")
  file(GLOB top LIST_DIRECTORIES true "${dir}/*")
  list(LENGTH top count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "vcpkg_extract_source_archive: ${arg_ARCHIVE} has ${count} top-level entries, not 1")
  endif()
  set(${out_var} "${top}" PARENT_SCOPE)
endfunction()

# vcpkg_cmake_configure: the options vcpkg itself passes that matter on Linux, for the Release build only.
function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS;OPTIONS_RELEASE")
  z_check_no_extra_arguments()
  # Without it, vcpkg would also build a debug tree (debug/include, debug/share): a header-only port must set it.
  if(NOT VCPKG_BUILD_TYPE STREQUAL "release")
    message(FATAL_ERROR "vcpkg_cmake_configure: the portfile must set(VCPKG_BUILD_TYPE release)")
  endif()
  set(compiler "")
  if(DEFINED CXX)
    set(compiler "-DCMAKE_CXX_COMPILER=${CXX}")
  endif()
  z_run("${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${CURRENT_BUILDTREES_DIR}/rel" -G Ninja ${compiler}
        -DFETCHCONTENT_FULLY_DISCONNECTED=ON -DCMAKE_EXPORT_NO_PACKAGE_REGISTRY=ON
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_ERROR_ON_ABSOLUTE_INSTALL_DESTINATION=ON
        -DCMAKE_INSTALL_LIBDIR:STRING=lib -DCMAKE_INSTALL_BINDIR:STRING=bin
        -DCMAKE_BUILD_TYPE=Release "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}"
        ${arg_OPTIONS} ${arg_OPTIONS_RELEASE})
endfunction()

function(vcpkg_cmake_install)
  z_check_no_extra_arguments()
  z_run("${CMAKE_COMMAND}" --build "${CURRENT_BUILDTREES_DIR}/rel" --target install)
endfunction()

# vcpkg_cmake_config_fixup with its defaults moves nothing: the files must already be in share/<port>.
function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "")
  z_check_no_extra_arguments()
  if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/share/${PORT}/${PORT}Config.cmake")
    message(FATAL_ERROR "vcpkg_cmake_config_fixup: no share/${PORT}/${PORT}Config.cmake")
  endif()
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  z_check_no_extra_arguments()
  file(INSTALL ${arg_FILE_LIST} DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}" RENAME copyright)
endfunction()

include("${PORT_DIR}/portfile.cmake")
