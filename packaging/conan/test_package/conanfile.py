# Conan test package for keyward: `conan create packaging/conan` builds test_package.cpp against the new
# package through CMakeDeps and CMakeToolchain and runs it.
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class TestPackageConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    # Conan 1 read this to not add the tested package by itself; Conan 2 ignores it and needs requirements().
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def generate(self):
        toolchain = CMakeToolchain(self)
        # With the Redis component, test_package_redis is built against keyward::redis too.
        toolchain.cache_variables["KEYWARD_TEST_REDIS"] = bool(self.dependencies["keyward"].options.with_redis)
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            self.run(os.path.join(self.cpp.build.bindir, "test_package"), env="conanrun")
            if self.dependencies["keyward"].options.with_redis:
                self.run(os.path.join(self.cpp.build.bindir, "test_package_redis"), env="conanrun")
