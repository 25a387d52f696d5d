# Shared by the CMake consumer projects under tests/install/: builds consumer.cpp against keyward::keyward
# with warnings as errors. It asks for C++14, so it builds only if keyward::keyward itself raises the
# standard to C++17 (config.hpp stops any older one).
set(CMAKE_CXX_STANDARD 14)
add_executable(consumer "${CMAKE_CURRENT_LIST_DIR}/consumer.cpp")
target_link_libraries(consumer PRIVATE keyward::keyward)
if(NOT MSVC)
  target_compile_options(consumer PRIVATE -Wall -Wextra -Wpedantic -Werror)
endif()
