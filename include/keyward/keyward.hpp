// keyward: the umbrella header. Includes every public header of the library that needs no third-party
// dependency.
#ifndef KEYWARD_KEYWARD_HPP
#define KEYWARD_KEYWARD_HPP

#include "base64.hpp"
#include "config.hpp"
#include "error.hpp"
#include "version.hpp"

#endif  // KEYWARD_KEYWARD_HPP
