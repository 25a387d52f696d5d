# Conan 2 recipe for keyward, shaped like conan-center-index's header-only template. It packages the
# headers of this checkout (no download): from the root of a clone,
#   conan create packaging/conan                                (builds and runs test_package/)
#   conan create packaging/conan -o "keyward/*:with_redis=True"  (adds hiredis and keyward::redis)
# packaging/conan/README.md says how to consume it.
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"


class KeywardConan(ConanFile):
    name = "keyward"
    version = "0.1.0"
    license = "MIT"
    description = "Header-only C++17 toolkit for authenticating HTTP API traffic"
    homepage = "https://keyward.invalid"
    url = "https://keyward.invalid"
    topics = ("authentication", "api-keys", "http", "jwt", "rate-limiting", "webhooks", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_redis": [True, False]}
    default_options = {"with_redis": False}
    # Header-only: nothing is built, so the sources need not be copied to a build folder.
    no_copy_source = True

    def export_sources(self):
        # The recipe lives in packaging/conan/ of the checkout, so the sources are two directories up.
        # basic_layout(src_folder="src") reads them from src/, so they are exported there.
        root = os.path.join(self.recipe_folder, "..", "..")
        destination = os.path.join(self.export_sources_folder, "src")
        copy(self, "include/*", root, destination)
        copy(self, "LICENSE", root, destination)

    def layout(self):
        basic_layout(self, src_folder="src")

    def requirements(self):
        # The Redis adapters (rate/redis.hpp, keys/redis_limits.hpp, keys/redis_store.hpp) include hiredis.
        if self.options.with_redis:
            self.requires("hiredis/[>=1.0 <2]")

    # One package for every configuration: the headers do not depend on settings or options.
    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 17)

    # Header-only: nothing to build.
    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"), os.path.join(self.package_folder, "include"))

    def package_info(self):
        # The same names as the CMake package and the pkg-config file that meson and CMake install.
        self.cpp_info.set_property("cmake_file_name", "keyward")
        self.cpp_info.set_property("pkg_config_name", "keyward")
        if not self.options.with_redis:
            self.cpp_info.set_property("cmake_target_name", "keyward::keyward")
            self.cpp_info.bindirs = []
            self.cpp_info.libdirs = []
            return

        # With Redis: keyward::keyward stays the headers alone, keyward::redis adds hiredis. CMakeDeps also
        # declares a root target linking every component; it must not be keyward::keyward, or that would
        # pull in hiredis (conan-center's hiredis recipe renames its own root target when it has components
        # besides hiredislib, for the same reason).
        self.cpp_info.set_property("cmake_target_name", "keyward::keyward_all")
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "keyward::keyward")
        core.set_property("pkg_config_name", "keyward")  # PkgConfigDeps lets a component's name win
        core.bindirs = []
        core.libdirs = []
        redis = self.cpp_info.components["redis"]
        redis.set_property("cmake_target_name", "keyward::redis")
        redis.set_property("pkg_config_name", "keyward-redis")
        redis.requires = ["core", "hiredis::hiredislib"]  # hiredis's component: hiredis::hiredis, pkg-config hiredis
        redis.includedirs = []  # the headers come through core
        redis.bindirs = []
        redis.libdirs = []
