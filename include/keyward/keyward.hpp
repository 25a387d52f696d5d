// keyward: the umbrella header. Includes every public header of the library that needs no third-party
// dependency (rate/redis.hpp, which needs hiredis, is included on its own).
#ifndef KEYWARD_KEYWARD_HPP
#define KEYWARD_KEYWARD_HPP

#include "base64.hpp"
#include "config.hpp"
#include "crypto/equal_length_hiding.hpp"
#include "crypto/hmac.hpp"
#include "crypto/sha2.hpp"
#include "crypto/siphash.hpp"
#include "ct.hpp"
#include "error.hpp"
#include "http/basic.hpp"
#include "http/bearer.hpp"
#include "http/challenge.hpp"
#include "http/classify.hpp"
#include "http/credentials.hpp"
#include "http/date.hpp"
#include "http/denial.hpp"
#include "http/retry_after.hpp"
#include "http/status.hpp"
#include "kernels.hpp"
#include "random.hpp"
#include "rate/gcra.hpp"
#include "rate/keyed.hpp"
#include "rate/quota.hpp"
#include "rate/ratelimit_fields.hpp"
#include "rate/x_ratelimit.hpp"
#include "retry/backoff.hpp"
#include "retry/run.hpp"
#include "secret.hpp"
#include "version.hpp"

#endif  // KEYWARD_KEYWARD_HPP
