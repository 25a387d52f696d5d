// Tests for include/keyward/detail/crc32.hpp (and detail/crc32_x86.hpp): zlib's CRC-32 in constant time, through
// the dispatcher (kernels::scoped_force) and with each kernel called directly. Expected values: the
// check value of CRC-32/ISO-HDLC in the CRC RevEng catalogue (crc32("123456789") = 0xCBF43926), and Python's
// zlib.crc32 on the inputs of generated() below, recorded by tests/keys/crc32_crosscheck.py --print-table;
// that script checks the recorded block against zlib at test time, and the kernel's constants too.
#define BOOST_TEST_MODULE crc32
#include <boost/test/unit_test.hpp>

// detail::crc32 through the public header that uses it, so that the single-header build (which forwards
// public headers only) tests the same code.
#include <keyward/kernels.hpp>
#include <keyward/keys/format.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using keyward::kernels::kernel;
namespace crc32 = keyward::detail::crc32;

namespace {

// zlib.crc32 begin (tests/keys/crc32_crosscheck.py --print-table)
// zlib.crc32(generated(n)) for n = 0..300, then zlib.crc32(bytes(n)) (n zero bytes) for n = 0..300.
constexpr std::uint32_t zlib_generated[301] = {
    0x00000000u, 0xce6e8eefu, 0x4ca814a0u, 0x59e4fe2fu, 0xc86b0d24u, 0x2f06cc29u, 0x489a0795u, 0xa845d64au,
    0x4fa95443u, 0x7df13913u, 0x2960ccbcu, 0xa49bdf95u, 0xb2cb825au, 0x6c6252f6u, 0xab9df2bdu, 0x22eae422u,
    0x16b2ca8cu, 0xe6c1d0a7u, 0x5c859960u, 0xed61ed44u, 0x283a4bb6u, 0x9e040910u, 0x71641a08u, 0x21a0a63fu,
    0xa87da47eu, 0xc5b6f8f5u, 0xc6d7b50eu, 0x04cf59d5u, 0x63c00c50u, 0xe7d0c3ccu, 0xe5e340e2u, 0x4a2a4c2cu,
    0x169e3920u, 0x1b8cdf43u, 0xe37a5a00u, 0x1c1b451eu, 0x7ed89e66u, 0xf0e9090eu, 0x30e846f3u, 0x2d4a5dbfu,
    0x596e3e2bu, 0x51c3196cu, 0x38a9ac49u, 0xe0650d33u, 0x876db595u, 0x80523713u, 0xc948eff1u, 0xbc399dc4u,
    0xde942e30u, 0x6d427753u, 0xea932c63u, 0xf6b04e06u, 0xcb6f98c8u, 0x5fd1f8fau, 0xe64f1d48u, 0x28519c47u,
    0xbf5f8889u, 0x49f2bd44u, 0xaa31ee7cu, 0x92ac4a9eu, 0x243f032eu, 0x56c9c0e0u, 0x63b099bcu, 0x54e62950u,
    0xd6b81c25u, 0x0d4ea733u, 0x5c802f68u, 0xb9142a01u, 0xb9f02684u, 0x6899d8f1u, 0xb70b4bd1u, 0x270ba2dcu,
    0xbf7db728u, 0x4e360447u, 0x670ab629u, 0x3f587d17u, 0x323e11d2u, 0xce761b6au, 0x585fe851u, 0x365321d0u,
    0xf166893eu, 0x4934132au, 0xfa5bb009u, 0x4261fcdau, 0x4a980aa0u, 0x46caf489u, 0xb2b77344u, 0x176d264fu,
    0x65b3a4c7u, 0x7f3963e9u, 0xd91c1d83u, 0x7fbec14eu, 0xdbe49019u, 0x3ba95e2du, 0x163c4435u, 0xfb7fee73u,
    0x965ca130u, 0x1c8098deu, 0x4f36ba41u, 0x0f59bb8eu, 0xede63bedu, 0x707cfc59u, 0xacdb5b63u, 0xd782e876u,
    0xeffd8ee5u, 0x54d0da3cu, 0x7ae579c0u, 0xb1942b3fu, 0x428cc2e5u, 0x2ea40faau, 0x1867f1d6u, 0x4179bda0u,
    0x1503e9acu, 0x8f1db0eeu, 0x27e87bbfu, 0x678da3b0u, 0xbb76124au, 0x576ff903u, 0x4238127du, 0xf9cb8861u,
    0xc0d0d636u, 0x5c3ee078u, 0x12461a97u, 0x85871357u, 0xc3e7ba22u, 0x3f216c25u, 0xc08aaad8u, 0xe9d3f039u,
    0x9513e8c6u, 0x11e12c9cu, 0x53c86c9eu, 0x551eba51u, 0xff395af8u, 0x59537a5du, 0x34d5c7a6u, 0xa510ca8eu,
    0x338703dfu, 0xa6a4ccf9u, 0x27fea6c7u, 0x6c25f882u, 0x265ca726u, 0x9b363fbau, 0x21324d9du, 0x7696d69du,
    0xfdd0af1cu, 0x2f1ae6c3u, 0x985c6c33u, 0x634aae75u, 0xfa4ea1f7u, 0x4c849f36u, 0x8c37d6ceu, 0xf4c36d15u,
    0x4ba3e695u, 0x915673e0u, 0x22d8c973u, 0x95e3894du, 0x5e5bb5eau, 0x186034acu, 0x635db542u, 0x8d3d91fau,
    0x710492cdu, 0x71888423u, 0xc72d1038u, 0x4783ff3du, 0x9b1805bdu, 0x88ff8f0eu, 0x11b05267u, 0xb49dc968u,
    0xe24194d2u, 0xb563d7c7u, 0x84b0125bu, 0x7a2dcfa4u, 0xfe9a7fefu, 0xf60c6fc0u, 0x6d53c996u, 0xb2149593u,
    0x4dba1565u, 0xe9691490u, 0x69cc1b07u, 0x2010552cu, 0x246ed96bu, 0xb95b0f8bu, 0x0e3b5814u, 0x2584b043u,
    0xe0dcef81u, 0x33714840u, 0x59e49ce6u, 0x1e9b3d71u, 0x7a00d1c4u, 0x552ad7f3u, 0x5900efbau, 0x0efbd832u,
    0x4992618cu, 0x977c6382u, 0xdee6c075u, 0x11306f81u, 0x0fc9b03du, 0x3a8ba99cu, 0x30f3164au, 0x6840e370u,
    0xb0f37438u, 0x3b69bc29u, 0x4dbb2d97u, 0xce123607u, 0x7c580ef9u, 0x87f4a5e2u, 0xe0133564u, 0xb388e83au,
    0x1c01c5b1u, 0xd9da2030u, 0x5eaba58au, 0xe9b77373u, 0x4fb8735cu, 0x9de891d8u, 0x052b91a5u, 0x76add281u,
    0x4ba8ae10u, 0xd770fce1u, 0xbe4dc760u, 0xf6056bf5u, 0xb4609535u, 0x67f34758u, 0xcb039057u, 0x11591cf1u,
    0x4619b7c7u, 0x48799eb8u, 0xe218c60eu, 0x7e81a1c0u, 0x251093afu, 0xe2d506fbu, 0xd3d19a1fu, 0x57f46525u,
    0x57f52aeau, 0xaf1d4bf6u, 0x3fbb6ff3u, 0xb5aa1ff3u, 0x5c146dbfu, 0x7456aaa6u, 0x6ef21a88u, 0x46286905u,
    0x085717cbu, 0xd8a5ca15u, 0x4f04428cu, 0xe72e1feeu, 0xa1d77fc0u, 0x925ecd2au, 0xc829c3b5u, 0xe81ebfdeu,
    0x369c9742u, 0xce861ea4u, 0xa1dcf97au, 0x682a3bacu, 0xd629e642u, 0xbe3a15e5u, 0x7568ea71u, 0xc42861d8u,
    0x9f1e9642u, 0xf6a75881u, 0xec436136u, 0x1c9e7de9u, 0x26e39462u, 0xfaf5db37u, 0x24ef9192u, 0xa8306c68u,
    0x39ea4e4fu, 0x4a388cf7u, 0x4d5f36e8u, 0x4204bef6u, 0x56dd41fau, 0x73897157u, 0x574ebb60u, 0xbce934c9u,
    0xaad3b7b6u, 0xe1b2f8d6u, 0xc7d6b92au, 0xb0f10aa1u, 0xa24a66b7u, 0x122ec06fu, 0xf7b5166du, 0x64150d1eu,
    0x35a0fc8eu, 0xc322d30eu, 0xd6e20048u, 0x539621f2u, 0x7d572e0cu, 0x2ac76bafu, 0xbf556832u, 0x3528f351u,
    0x9726e14eu, 0xfb55c8f5u, 0x19d8e762u, 0xe750bde5u, 0xd51e8fa3u, 0xf3a5340fu, 0x6a92d9b6u, 0xa14c2eebu,
    0x8b0c5801u, 0x28a5304au, 0xe9983901u, 0xd868a8d7u, 0x5ff94fe7u,
};
constexpr std::uint32_t zlib_zeros[301] = {
    0x00000000u, 0xd202ef8du, 0x41d912ffu, 0xff41d912u, 0x2144df1cu, 0xc622f71du, 0xb1c2a1a3u, 0x9d6cdf7eu,
    0x6522df69u, 0xe60914aeu, 0xe38a6876u, 0x6b87b1ecu, 0x7bd5c66fu, 0x0f744682u, 0xd1bb79c7u, 0xd7d303e7u,
    0xecbb4b55u, 0xc9eff1bdu, 0x671bcf4du, 0xda08c96fu, 0x0fd59b8du, 0x4104c58bu, 0xa829b1e0u, 0x72a02444u,
    0xa3c1ca20u, 0xe9cf0e8fu, 0xafecbe32u, 0x1a7a52b3u, 0x807077e9u, 0x0b54c526u, 0x00043eb5u, 0x6909acb0u,
    0x190a55adu, 0x7a7c3a8du, 0x41716c2au, 0x09f85737u, 0x6ab6b2d5u, 0x24d17f64u, 0x98f99bb3u, 0x80f2f420u,
    0xe9ec3db1u, 0x6e8d80aau, 0xe46f28fbu, 0xf889ab31u, 0x8324661cu, 0xc68097a4u, 0x037f08ebu, 0xe5d9ab75u,
    0xf288b395u, 0x529500f5u, 0x1f877c1eu, 0x28125592u, 0xcc2b0fb0u, 0x19af770eu, 0x35a36dfdu, 0x113bc241u,
    0xd3c8a549u, 0xddd1de1cu, 0xc6de621cu, 0xc6c56da0u, 0x04128908u, 0xdcdd7536u, 0x1d64a761u, 0xe8aadae4u,
    0x758d6336u, 0x1dcdf777u, 0x1c7ec6e5u, 0x027e87bcu, 0x10d76eadu, 0x7a75e7b6u, 0xf07a8cd3u, 0xcd28166fu,
    0x0fc2bb52u, 0x57681deeu, 0x95e748efu, 0xe222f72cu, 0xe038a199u, 0x5b31fcccu, 0x408b50eau, 0x929d6fbbu,
    0x8e2318e6u, 0x9be58bd8u, 0x5a9150e0u, 0x72529ca5u, 0x74ccea76u, 0x6b10f76eu, 0x7863b325u, 0x997e5879u,
    0xfb42584du, 0xda9490f8u, 0x61be0133u, 0x6db3309au, 0xc2b526e7u, 0xecae2d70u, 0x82eb309cu, 0x2b39dbd2u,
    0xbaf465aeu, 0xe3d69507u, 0x4c85acbbu, 0x8efd0025u, 0x9988c6cau, 0xa92a4ce5u, 0x02cbd336u, 0x1dbab1c7u,
    0xd71f022fu, 0x7904cdd6u, 0xbdcb9ca1u, 0x736eb76fu, 0x0f7cfdf3u, 0xf6b930d6u, 0xbd44215cu, 0xb062b673u,
    0x1bbeadbdu, 0x67c99e11u, 0xb8d506e1u, 0x05b7e865u, 0xefdfcdb2u, 0xf782e2e0u, 0x72ff8f17u, 0x51a395c5u,
    0x395d7a27u, 0x7731079cu, 0x2bcc01e5u, 0x0249357bu, 0x15d70e0cu, 0xdba174a8u, 0x0ad46523u, 0x706f4a9au,
    0xc2a8fa9du, 0x5c7ea88eu, 0xd85e3f02u, 0x3cd4d09eu, 0xc589851eu, 0x28c85b6bu, 0x084a9f06u, 0x3b690027u,
    0x773333e6u, 0x9b1c9bf3u, 0xf62d50b0u, 0x19957151u, 0xce771b9eu, 0xc57b26d5u, 0x247eb2f0u, 0x6f9b6323u,
    0x700a059cu, 0x2bcb3ae7u, 0xec47536cu, 0x96ea85adu, 0x7af3da5du, 0xc7a2311eu, 0x28ca70dfu, 0xc446eab8u,
    0x177c92d9u, 0x2d1af96fu, 0x0f2289bdu, 0x67dd0235u, 0x84d6f6acu, 0x0de6d6b8u, 0x17b532e5u, 0x02754c48u,
    0xaa075363u, 0x0613d83cu, 0xfd6b80d2u, 0xba2237f5u, 0x1f6fcb29u, 0x90af182au, 0x09298943u, 0x3dded62eu,
    0x0ee93c94u, 0x256e51ecu, 0x7b9b2f8fu, 0xaf7eea13u, 0x5613d0b9u, 0x60e9f775u, 0xf20d83c9u, 0x3048981au,
    0x2f505e6fu, 0x0f20c31au, 0x2f6f3634u, 0xf399740eu, 0x35495bfeu, 0x883279cdu, 0x375f63f9u, 0x1654fa56u,
    0x501c4fb6u, 0xf050e57bu, 0x152517dcu, 0x5d725465u, 0xef87080eu, 0x35554582u, 0xd18158c4u, 0x4eda687cu,
    0x8bff08f2u, 0x813a83b5u, 0x6988920du, 0xacda1ba2u, 0xea76f752u, 0x578da9a2u, 0xea8da0e0u, 0x72e28055u,
    0xc971a876u, 0x6bad4a2cu, 0xe0b12e24u, 0xeee1ba72u, 0x6ce71e27u, 0x7764bdf8u, 0x6113f11eu, 0x286cc11fu,
    0x5f228eb9u, 0x60e0c62bu, 0x7edef60bu, 0x45aee8f3u, 0xf6f3e2c3u, 0xd0998f65u, 0xef0ae3d5u, 0x2454c335u,
    0x84957f6du, 0xe1856717u, 0x5130ef2du, 0x978c8317u, 0x5146e6c9u, 0x30ebd37fu, 0x128868f3u, 0xf6a4c443u,
    0x3d215b63u, 0x0684fe34u, 0xf3b09fc6u, 0xa0f63897u, 0xbcc91f52u, 0x57db164au, 0x445c9c15u, 0xbf9b57fau,
    0x8fd56fd8u, 0x5a856004u, 0xd535aef4u, 0x6807ec26u, 0x00676d9cu, 0x2bbb578fu, 0xaf2eca6bu, 0x08cd7997u,
    0xbc612413u, 0x5600cf77u, 0x1c350bddu, 0x2a7c74efu, 0xe29d6c10u, 0xcf576285u, 0x4f1fcf40u, 0xa491b1d2u,
    0xba7bcdc4u, 0x4eb192e9u, 0x0b9a04c3u, 0xd064e683u, 0xa66359f1u, 0x181e4e5eu, 0x5ec98d30u, 0xf48516acu,
    0x0d968558u, 0xb7bfa0ceu, 0xae69bf9au, 0xc276fc68u, 0x91a9701bu, 0x58f68f11u, 0xb8ea39f0u, 0x6f07f7a8u,
    0x0a60c3a0u, 0x04de2ca6u, 0xedb3377cu, 0x8b5c61adu, 0x7aee6cb9u, 0x60c50ac9u, 0x30da5093u, 0xbb34f723u,
    0x70deaa08u, 0xdca9b915u, 0xbf03a2dfu, 0xc4d1236au, 0x7fa1b6e8u, 0x7cac2471u, 0xf57c0203u, 0x4bfec235u,
    0x84fad56cu, 0x9682382bu, 0x7e2894f5u, 0x1fabc18au, 0xdf702e72u, 0x6cd68fb3u, 0x8006db34u, 0xf3361de3u,
    0xebf26a52u, 0x578c2d3fu, 0x64334e9du, 0x5cd8333au, 0x1452ee0cu, 0xdba0f148u, 0xaade86deu, 0xb3c3ced8u,
    0x5ab976a5u, 0x74e4019cu, 0x2bcfd4e3u, 0xeb2a939bu, 0xb5348fd2u,
};
// {n, zlib.crc32(generated(n))} for longer inputs.
constexpr std::uint32_t zlib_generated_long[][2] = {
    {511, 0x40c4f047u},
    {512, 0x756c447fu},
    {513, 0x931a3e5cu},
    {1000, 0x4ab128cbu},
    {4097, 0x491820f4u},
};
// zlib.crc32 end

// `length` bytes from xorshift32 seeded with 0x9E3779B9 + length, the top byte of each state (the same
// generator as generated() in crc32_crosscheck.py).
std::vector<unsigned char> generated(std::size_t length) {
  std::uint32_t state = 0x9E3779B9u + static_cast<std::uint32_t>(length);
  std::vector<unsigned char> out(length);
  for (auto& byte : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<unsigned char>(state >> 24);
  }
  return out;
}

using crc_function = std::uint32_t (*)(const unsigned char*, std::size_t);

struct implementation {
  const char* name;
  kernel allowed;     // the kernel set forced (kernels::scoped_force) while `crc` runs
  crc_function crc;
};

// True when the CPU has PCLMULQDQ and SSSE3, by the compiler's own detection (not keyward's).
bool cpu_has_pclmul() {
#if KEYWARD_X86_SIMD
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
#else
  return false;
#endif
}

// Every way to compute: the dispatcher forced to the portable loop and left to choose (PCLMULQDQ where the
// CPU has it), and each kernel called directly: compute_portable always, compute_pclmul where the CPU has it.
std::vector<implementation> implementations() {
  std::vector<implementation> all{{"compute, kernel::scalar", kernel::scalar, &crc32::compute},
                                  {"compute, kernel::pclmul", kernel::pclmul, &crc32::compute},
                                  {"compute_portable", kernel::all, &crc32::compute_portable}};
#if KEYWARD_X86_SIMD
  if (cpu_has_pclmul()) all.push_back({"compute_pclmul", kernel::all, &crc32::compute_pclmul});
#endif
  if (!cpu_has_pclmul()) BOOST_TEST_MESSAGE("no PCLMULQDQ here (CPU or build): compute_pclmul is not tested");
  return all;
}

// The CRC of `bytes` copied to exactly `bytes.size()` bytes of heap at `offset` from a 64-byte boundary, so
// that AddressSanitizer sees any read past either end.
std::uint32_t crc_at(const implementation& impl, const std::vector<unsigned char>& bytes, std::size_t offset) {
  std::vector<unsigned char> storage(offset + bytes.size() + 64);
  unsigned char* aligned = storage.data() + (64 - reinterpret_cast<std::uintptr_t>(storage.data()) % 64) % 64;
  if (aligned + offset + bytes.size() > storage.data() + storage.size()) return 0;  // cannot happen
  if (!bytes.empty()) std::memcpy(aligned + offset, bytes.data(), bytes.size());
  const keyward::kernels::scoped_force forced(impl.allowed);
  return impl.crc(aligned + offset, bytes.size());
}

std::uint32_t crc_exact(const implementation& impl, const std::vector<unsigned char>& bytes) {
  const std::vector<unsigned char> exact(bytes);  // a heap block of exactly this size
  const keyward::kernels::scoped_force forced(impl.allowed);
  return impl.crc(exact.data(), exact.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(check_value) {
  const std::string text = "123456789";
  const std::vector<unsigned char> bytes(text.begin(), text.end());
  for (const auto& impl : implementations()) BOOST_TEST(crc_exact(impl, bytes) == 0xCBF43926u, impl.name);
}

BOOST_AUTO_TEST_CASE(empty_input_is_zero) {
  const unsigned char byte = 0x5A;
  for (const auto& impl : implementations()) {
    const keyward::kernels::scoped_force forced(impl.allowed);
    BOOST_TEST(impl.crc(&byte, 0) == 0u, impl.name);
    BOOST_TEST(impl.crc(nullptr, 0) == 0u, impl.name);
  }
}

BOOST_AUTO_TEST_CASE(every_length_to_300_matches_zlib) {
  for (const auto& impl : implementations()) {
    for (std::size_t n = 0; n <= 300; ++n) {
      BOOST_TEST(crc_exact(impl, generated(n)) == zlib_generated[n], impl.name << ", generated, " << n << " bytes");
      BOOST_TEST(crc_exact(impl, std::vector<unsigned char>(n, 0)) == zlib_zeros[n],
                 impl.name << ", zeros, " << n << " bytes");
    }
    for (const auto& [n, expected] : zlib_generated_long)
      BOOST_TEST(crc_exact(impl, generated(n)) == expected, impl.name << ", generated, " << n << " bytes");
  }
}

BOOST_AUTO_TEST_CASE(unaligned_inputs_match_zlib) {
  for (const auto& impl : implementations()) {
    for (std::size_t offset = 1; offset < 64; offset += offset < 16 ? 1 : 13) {
      for (std::size_t n = 0; n <= 300; n += n < 40 ? 1 : 7) {
        BOOST_TEST(crc_at(impl, generated(n), offset) == zlib_generated[n],
                   impl.name << ", offset " << offset << ", " << n << " bytes");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(all_ways_agree_on_random_inputs) {
  // Random bytes, and runs of 0x00 and 0xFF (the padding of the PCLMULQDQ kernel is zeros), of every length
  // to 600 and a few longer ones: every block count and tail of the four-lane loop.
  const auto all = implementations();
  std::mt19937 random(12);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 600; ++n) lengths.push_back(n);
  for (const std::size_t n : {1023u, 1024u, 1025u, 4096u, 65537u}) lengths.push_back(n);
  for (const std::size_t n : lengths) {
    std::vector<std::vector<unsigned char>> inputs(3);
    for (std::size_t i = 0; i < n; ++i) inputs[0].push_back(static_cast<unsigned char>(byte(random)));
    inputs[1].assign(n, 0x00);
    inputs[2].assign(n, 0xFF);
    for (std::size_t which = 0; which < inputs.size(); ++which) {
      const std::uint32_t first = crc_at(all[0], inputs[which], n % 17);
      for (std::size_t i = 1; i < all.size(); ++i) {
        BOOST_TEST(crc_at(all[i], inputs[which], n % 17) == first,
                   all[i].name << " against " << all[0].name << ", input " << which << ", " << n << " bytes");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(one_flipped_bit_changes_the_crc) {
  // A CRC detects every single-bit error: flipping any bit of a 60-byte input changes the result.
  const auto input = generated(60);
  for (const auto& impl : implementations()) {
    const std::uint32_t reference = crc_exact(impl, input);
    bool all_changed = true;
    for (std::size_t bit = 0; bit < input.size() * 8; ++bit) {
      auto flipped = input;
      flipped[bit / 8] = static_cast<unsigned char>(flipped[bit / 8] ^ (1u << (bit % 8)));
      all_changed = all_changed && crc_exact(impl, flipped) != reference;
    }
    BOOST_TEST(all_changed, impl.name);
  }
}

BOOST_AUTO_TEST_CASE(portable_columns_are_the_polynomial) {
  // The portable loop's columns come from the bitwise definition: one bit at the bottom of a byte becomes the
  // reflected polynomial after 8 steps (zlib's crc_table[128] = 0xEDB88320), and 0x77073096 is crc_table[1].
  static_assert(crc32::columns.byte[7] == 0xEDB88320u);
  static_assert(crc32::columns.byte[0] == 0x77073096u);
  BOOST_TEST(crc32::compute_portable(reinterpret_cast<const unsigned char*>("123456789"), 9) == 0xCBF43926u);
}
