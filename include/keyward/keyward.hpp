// keyward: the umbrella header. Includes every public header of the library that needs no third-party
// dependency.
#ifndef KEYWARD_KEYWARD_HPP
#define KEYWARD_KEYWARD_HPP

#include "base64.hpp"
#include "config.hpp"
#include "crypto/hmac.hpp"
#include "crypto/sha2.hpp"
#include "ct.hpp"
#include "error.hpp"
#include "random.hpp"
#include "secret.hpp"
#include "version.hpp"

#endif  // KEYWARD_KEYWARD_HPP
