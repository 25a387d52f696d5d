// keyward: version of the library.
/// \file
/// The version of keyward: KEYWARD_VERSION and version_string.
#ifndef KEYWARD_VERSION_HPP
#define KEYWARD_VERSION_HPP

/// Major, minor and patch numbers of this keyward release (semantic versioning).
///@{
#define KEYWARD_VERSION_MAJOR 0
#define KEYWARD_VERSION_MINOR 1
#define KEYWARD_VERSION_PATCH 0
///@}
/// The release as one number: major * 10000 + minor * 100 + patch.
#define KEYWARD_VERSION (KEYWARD_VERSION_MAJOR * 10000 + KEYWARD_VERSION_MINOR * 100 + KEYWARD_VERSION_PATCH)

namespace keyward {
/// The release as a string, "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";
}  // namespace keyward

#endif  // KEYWARD_VERSION_HPP
