// A jwt::verifier Backend on OpenSSL 3 (libcrypto) for RS256/384/512, PS256/384/512, ES256/384/512 and
// EdDSA (Ed25519): keyward parses the token, selects the key, checks the signature's exact length (and, for
// ES*, that 0 < R, S < n), then asks this backend; the claims are checked by keyward afterwards. Built only
// where OpenSSL is found: keyward's headers need no third-party library, this example does.
//
// The program makes an RSA, an EC P-256 and an Ed25519 key pair with OpenSSL, signs tokens with OpenSSL
// (independently of keyward), verifies them through the backend, and checks that tampered tokens, a wrong
// algorithm for a key and an HS256 token MACed with the RSA public key's PEM (the RFC 8725 section 2.1
// confusion attack) are all refused. Exit status 0 when every verdict is the expected one.
#include <keyward/base64.hpp>
#include <keyward/jwt/verifier.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jwt = keyward::jwt;

namespace {

using pkey_ptr = std::shared_ptr<EVP_PKEY>;

// The digest of an algorithm (RFC 7518 section 3.1); nullptr for EdDSA, which hashes by itself.
const EVP_MD* digest_of(jwt::algorithm alg) {
  switch (alg) {
    case jwt::algorithm::rs256: case jwt::algorithm::ps256: case jwt::algorithm::es256: return EVP_sha256();
    case jwt::algorithm::rs384: case jwt::algorithm::ps384: case jwt::algorithm::es384: return EVP_sha384();
    case jwt::algorithm::rs512: case jwt::algorithm::ps512: case jwt::algorithm::es512: return EVP_sha512();
    default: return nullptr;
  }
}

bool is_ecdsa(jwt::algorithm alg) {
  return alg == jwt::algorithm::es256 || alg == jwt::algorithm::es384 || alg == jwt::algorithm::es512;
}
bool is_pss(jwt::algorithm alg) {
  return alg == jwt::algorithm::ps256 || alg == jwt::algorithm::ps384 || alg == jwt::algorithm::ps512;
}

// The JWS R || S form (RFC 7518 section 3.4) as the DER ECDSA-Sig-Value OpenSSL verifies; empty on failure.
std::string ecdsa_der(std::string_view signature) {
  const std::size_t half = signature.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data() + half), static_cast<int>(half), nullptr);
  std::string der;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    const int size = i2d_ECDSA_SIG(sig, &out);
    if (size > 0) der.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

}  // namespace

/// The Backend: public keys by (alg, kid), each added from a PEM SubjectPublicKeyInfo.
class openssl_backend {
 public:
  /// Adds the public key in `pem` for the jwt::key `k`; false when it does not parse or is of another type
  /// than k.alg() needs (RSA for RS and PS, EC on the matching curve for ES, Ed25519 for EdDSA).
  bool add(const jwt::key& k, std::string_view pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* raw = bio != nullptr ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (raw == nullptr) return false;
    pkey_ptr pkey(raw, EVP_PKEY_free);
    const jwt::algorithm alg = k.alg();
    bool fits = false;
    if (alg == jwt::algorithm::eddsa) {
      fits = EVP_PKEY_is_a(raw, "ED25519") == 1;
    } else if (is_ecdsa(alg)) {
      char curve[64] = {0};
      std::size_t length = 0;
      const char* wanted = alg == jwt::algorithm::es256 ? "prime256v1" : (alg == jwt::algorithm::es384 ? "secp384r1" : "secp521r1");
      fits = EVP_PKEY_is_a(raw, "EC") == 1 &&
             EVP_PKEY_get_utf8_string_param(raw, "group", curve, sizeof curve, &length) == 1 &&
             std::string_view(curve, length) == wanted;
    } else {
      fits = EVP_PKEY_is_a(raw, "RSA") == 1;
    }
    if (!fits) return false;
    entries_.push_back({alg, std::string(k.kid()), std::move(pkey)});
    return true;
  }

  /// The Backend's signature size: the modulus size for RSA, 2 * the order's size for ECDSA, 64 for Ed25519;
  /// 0 for a key it does not have.
  std::size_t signature_size(const jwt::key& k) const {
    EVP_PKEY* pkey = find(k);
    if (pkey == nullptr) return 0;
    if (k.alg() == jwt::algorithm::eddsa) return 64;
    if (is_ecdsa(k.alg())) return 2 * static_cast<std::size_t>((EVP_PKEY_get_bits(pkey) + 7) / 8);
    return static_cast<std::size_t>(EVP_PKEY_get_size(pkey));
  }

  /// The Backend's verification: RSASSA-PKCS1-v1_5, RSASSA-PSS (MGF1 with the same hash, a salt as long as
  /// the hash: RFC 7518 section 3.5), ECDSA over the DER form of R || S, or Ed25519.
  bool verify(const jwt::key& k, std::string_view signing_input, std::string_view signature) const {
    EVP_PKEY* pkey = find(k);
    if (pkey == nullptr) return false;
    std::string der;
    if (is_ecdsa(k.alg())) {
      der = ecdsa_der(signature);
      if (der.empty()) return false;
      signature = der;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, &pctx, digest_of(k.alg()), nullptr, pkey) == 1;
    if (ok && is_pss(k.alg())) {
      ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_of(k.alg())) == 1;
    }
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }

 private:
  struct entry {
    jwt::algorithm alg;
    std::string kid;
    pkey_ptr pkey;
  };

  EVP_PKEY* find(const jwt::key& k) const {
    for (const entry& e : entries_) {
      if (e.alg == k.alg() && e.kid == k.kid()) return e.pkey.get();
    }
    return nullptr;
  }

  std::vector<entry> entries_;
};

namespace {

std::string b64url(std::string_view bytes) { return keyward::base64::encode(bytes, keyward::base64::url); }

pkey_ptr generate(const char* type, const char* curve_or_bits) {
  EVP_PKEY* raw = nullptr;
  if (std::string_view(type) == "RSA") {
    raw = EVP_RSA_gen(static_cast<unsigned>(std::stoul(curve_or_bits)));
  } else if (std::string_view(type) == "EC") {
    raw = EVP_EC_gen(curve_or_bits);
  } else {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  }
  return pkey_ptr(raw, EVP_PKEY_free);
}

std::string public_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

// Signs `input` with OpenSSL as `alg` wants, in the JWS form (R || S for ECDSA).
std::string sign(EVP_PKEY* pkey, jwt::algorithm alg, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, digest_of(alg), nullptr, pkey);
  if (is_pss(alg)) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t size = 0;
  EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string out(size, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &size,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  out.resize(size);
  EVP_MD_CTX_free(ctx);
  if (!is_ecdsa(alg)) return out;
  // DER ECDSA-Sig-Value to R || S, each left-padded to the order's size.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(out.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(out.size()));
  const std::size_t half = static_cast<std::size_t>((EVP_PKEY_get_bits(pkey) + 7) / 8);
  std::string rs(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(rs.data()), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(rs.data() + half), static_cast<int>(half));
  ECDSA_SIG_free(sig);
  return rs;
}

int failures = 0;

void expect(const char* what, const keyward::result<jwt::verified_token>& got, keyward::errc wanted) {
  const keyward::errc code = got ? keyward::errc{} : got.error().code();
  const bool right = code == wanted;
  std::printf("%-44s %-40s %s\n", what, got ? "verified" : got.error().message(), right ? "ok" : "WRONG");
  if (!right) ++failures;
}

}  // namespace

int main() {
  const pkey_ptr rsa = generate("RSA", "2048"), ec = generate("EC", "P-256"), ed = generate("ED25519", "");
  if (!rsa || !ec || !ed) {
    std::printf("OpenSSL could not generate the keys\n");
    return 1;
  }
  const std::string rsa_pem = public_pem(rsa.get());

  // The allow-list: each key bound to one algorithm; the backend holds the public keys by (alg, kid).
  std::vector<jwt::key> keys;
  openssl_backend backend;
  const struct {
    jwt::algorithm alg;
    const char* kid;
    EVP_PKEY* pkey;
  } bound[] = {{jwt::algorithm::rs256, "rsa-1", rsa.get()},
               {jwt::algorithm::ps256, "rsa-pss", rsa.get()},
               {jwt::algorithm::es256, "ec-1", ec.get()},
               {jwt::algorithm::eddsa, "ed-1", ed.get()}};
  for (const auto& b : bound) {
    keys.push_back(*jwt::key::asymmetric(b.alg, b.kid));
    if (!backend.add(keys.back(), public_pem(b.pkey))) {
      std::printf("backend refused the key %s\n", b.kid);
      return 1;
    }
  }
  // An EC key offered for RS256 does not fit.
  if (backend.add(*jwt::key::asymmetric(jwt::algorithm::rs256, "x"), public_pem(ec.get()))) ++failures;
  const auto verifier = jwt::verifier<openssl_backend>::make(std::move(keys), {}, backend);
  if (!verifier) {
    std::printf("make: %s\n", verifier.error().message());
    return 1;
  }

  const auto now = std::chrono::system_clock::now();
  const long long exp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 600;
  const std::string claims = "{\"sub\":\"user-1\",\"exp\":" + std::to_string(exp) + "}";
  jwt::token_buffer buffer;
  for (const auto& b : bound) {
    const std::string header = std::string("{\"alg\":\"") + std::string(jwt::name(b.alg)) + "\",\"kid\":\"" + b.kid + "\"}";
    const std::string input = b64url(header) + "." + b64url(claims);
    const std::string signature = sign(b.pkey, b.alg, input);
    const std::string token = input + "." + b64url(signature);
    std::string label = std::string(jwt::name(b.alg)) + " signed by OpenSSL";
    expect(label.c_str(), verifier->verify(token, now, buffer), keyward::errc{});

    std::string flipped = signature;
    flipped[flipped.size() / 3] = static_cast<char>(flipped[flipped.size() / 3] ^ 1);
    label = std::string(jwt::name(b.alg)) + " one bit of the signature flipped";
    expect(label.c_str(), verifier->verify(input + "." + b64url(flipped), now, buffer), keyward::errc::jwt_invalid_signature);

    const std::string other_claims = "{\"sub\":\"admin\",\"exp\":" + std::to_string(exp) + "}";
    label = std::string(jwt::name(b.alg)) + " claims swapped";
    expect(label.c_str(), verifier->verify(b64url(header) + "." + b64url(other_claims) + "." + b64url(signature), now, buffer),
           keyward::errc::jwt_invalid_signature);
  }
  // RFC 8725 section 2.1: the RSA public key's PEM used as an HS256 secret.
  {
    const std::string header = R"({"alg":"HS256","kid":"rsa-1"})";
    const std::string input = b64url(header) + "." + b64url(claims);
    const auto mac = keyward::crypto::hmac_sha256::compute(rsa_pem, input);
    const std::string token = input + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    expect("HS256 MACed with the RSA PEM (confusion)", verifier->verify(token, now, buffer),
           keyward::errc::jwt_algorithm_not_allowed);
  }
  // An RS256 signature presented as PS256 for the PSS key: the kid binds PS256 only, and PSS refuses it.
  {
    const std::string input = b64url(R"({"alg":"PS256","kid":"rsa-pss"})") + "." + b64url(claims);
    const std::string token = input + "." + b64url(sign(rsa.get(), jwt::algorithm::rs256, input));
    expect("PKCS#1 v1.5 signature sent as PS256", verifier->verify(token, now, buffer), keyward::errc::jwt_invalid_signature);
  }
  std::printf("%s\n", failures == 0 ? "all verdicts as expected" : "UNEXPECTED VERDICTS");
  return failures == 0 ? 0 : 1;
}
