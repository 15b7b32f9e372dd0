// Byte coding for persisted keys and values. Keys use big-endian fixed-width integers so that
// RocksDB's bytewise order is numeric order; signed integers are stored with the sign bit
// flipped so negative values sort first. Values use little-endian fixed and varint encodings.
// The key layouts built from these live in stream/key_codec.h and are described in
// docs/storage.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cohort {

void PutBigEndian32(std::string* dst, uint32_t v);
void PutBigEndian64(std::string* dst, uint64_t v);
// Order-preserving encoding of a signed 64-bit integer.
void PutOrderedInt64(std::string* dst, int64_t v);

// Each Get* reads from the front of *in and advances it; returns false if *in is too short.
bool GetBigEndian32(std::string_view* in, uint32_t* v);
bool GetBigEndian64(std::string_view* in, uint64_t* v);
bool GetOrderedInt64(std::string_view* in, int64_t* v);

void PutVarint64(std::string* dst, uint64_t v);
bool GetVarint64(std::string_view* in, uint64_t* v);
// Zig-zag signed varint.
void PutVarsint64(std::string* dst, int64_t v);
bool GetVarsint64(std::string_view* in, int64_t* v);

// Length-prefixed (varint) byte string.
void PutLengthPrefixed(std::string* dst, std::string_view s);
bool GetLengthPrefixed(std::string_view* in, std::string_view* s);

// Hex encoding, lowercase.
std::string ToHex(std::string_view bytes);
// Decodes hex (either case); std::nullopt on odd length or a non-hex digit.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace cohort
