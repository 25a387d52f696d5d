// Tests for include/keyward/http/status.hpp: every status code from -1 to 1000 against the classes RFC 9110
// section 15 (and RFC 6585 section 4 for 429) assigns, written out range by range.
#define BOOST_TEST_MODULE http_status
#include <boost/test/unit_test.hpp>

#include <keyward/http/status.hpp>

using keyward::http::classify_status;
using keyward::http::status_class;

BOOST_AUTO_TEST_CASE(every_code_falls_in_its_rfc_9110_class) {
  for (int code = -1; code <= 1000; ++code) {
    status_class expected = status_class::invalid;  // below 100, 1xx interim (section 15.2), above 599
    if (code >= 200 && code <= 399) expected = status_class::success;                 // 15.3, 15.4
    if (code >= 400 && code <= 499) expected = status_class::client_error;            // 15.5
    if (code >= 500 && code <= 599) expected = status_class::server_error;            // 15.6
    if (code == 401 || code == 407) expected = status_class::unauthorized;            // 15.5.2, 15.5.8
    if (code == 403) expected = status_class::forbidden;                              // 15.5.4
    if (code == 429 || code == 503) expected = status_class::try_later;               // RFC 6585 4, 15.6.4
    BOOST_TEST((classify_status(code) == expected), "status " << code);
  }
}

BOOST_AUTO_TEST_CASE(interim_responses_are_never_final) {
  BOOST_TEST((classify_status(100) == status_class::invalid));
  BOOST_TEST((classify_status(103) == status_class::invalid));
  BOOST_TEST((classify_status(199) == status_class::invalid));
  static_assert(classify_status(204) == status_class::success);
}
