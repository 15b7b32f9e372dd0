#include "profile/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/coding.h"
#include "profile/test_util.h"

namespace cohort::profile {
namespace {

using testing::MapUpdate;
using testing::SetUpdate;
using testing::Update;

// One field of every (kind, op) the SPEC allows, each merged from a few updates.
Profile EveryKind() {
  Profile p;
  testing::RandomEvents gen(42);
  int i = 0;
  for (auto [kind, op] : testing::AllKindOps()) {
    testing::RandomEvents::Field f{"field" + std::to_string(i++), kind, op, {}};
    f.options.set_cap = 3;
    for (int j = 0; j < 4; ++j) {
      for (const auto& u : gen.MakeEvent({f})) EXPECT_TRUE(p.Apply(u, f.options).ok());
    }
  }
  return p;
}

TEST(EncodingTest, RoundTripsEveryKind) {
  Profile p = EveryKind();
  EXPECT_GT(p.size(), 30u);
  std::string bytes = Encode(p);
  StatusOr<Profile> back = Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_EQ(Encode(*back), bytes);
  StatusOr<Profile> empty = Decode(Encode(Profile()));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// The layout of docs/profile.md, byte by byte.
TEST(EncodingTest, Layout) {
  Profile p;
  ASSERT_TRUE(p.Apply(Update("age", Kind::kInt, MergeOp::kLatest, Scalar::Int(-3), 1000)).ok());
  ASSERT_TRUE(p.Apply(SetUpdate("tags", MergeOp::kUnion, {"b", "a"}, 5)).ok());
  std::string want;
  want += '\x01';  // version
  want += '\x02';  // two fields
  want +=
      "\x03"
      "age";           // name
  want += '\x02';      // kind int
  want += '\x01';      // op latest
  want += "\xD0\x0F";  // time 1000, zig-zag varint
  want += '\x05';      // value -3, zig-zag varint
  want +=
      "\x04"
      "tags";          // name
  want += '\x06';      // kind []string
  want += '\x07';      // op union
  want += "\xE8\x07";  // cap 1000
  want += '\x02';      // two members
  want +=
      "\x01"
      "a"
      "\x0A";  // "a" at time 5
  want +=
      "\x01"
      "b"
      "\x0A";  // "b" at time 5
  EXPECT_EQ(ToHex(Encode(p)), ToHex(want));
}

TEST(EncodingTest, ErrorsNameTheByte) {
  Status st = Decode("").status();
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "corrupt profile encoding at byte 0: empty");
  EXPECT_EQ(Decode(std::string("\x02\x00", 2)).status().message(),
            "corrupt profile encoding at byte 0: unknown version");
  EXPECT_EQ(Decode(std::string("\x01\x00\x00", 3)).status().message(),
            "corrupt profile encoding at byte 2: trailing bytes");
  // Unknown kind 99.
  EXPECT_EQ(Decode(std::string("\x01\x01\x01"
                               "a"
                               "\x63\x01\x00\x00",
                               8))
                .status()
                .message(),
            "corrupt profile encoding at byte 4: unknown kind or merge op");
  // bool latest with value byte 2.
  EXPECT_EQ(Decode(std::string("\x01\x01\x01"
                               "a"
                               "\x04\x01\x00\x02",
                               8))
                .status()
                .message(),
            "corrupt profile encoding at byte 7: bad field value");
  // Names out of order.
  Profile p;
  ASSERT_TRUE(p.Apply(Update("a", Kind::kBool, MergeOp::kLatest, Scalar::Bool(true), 0)).ok());
  ASSERT_TRUE(p.Apply(Update("b", Kind::kBool, MergeOp::kLatest, Scalar::Bool(true), 0)).ok());
  std::string bytes = Encode(p);
  std::swap(bytes[3], bytes[9]);  // "a" <-> "b"
  EXPECT_EQ(Decode(bytes).status().message(),
            "corrupt profile encoding at byte 8: field names not strictly sorted");
  // A number that is NaN is a broken state, reported at its field.
  std::string nan = std::string(
      "\x01\x01\x01"
      "x"
      "\x03\x03",
      6);
  PutBigEndian64(&nan, 0x7FF8000000000000ull);
  Status bad = Decode(nan).status();
  EXPECT_EQ(bad.code(), StatusCode::kInternal);
  EXPECT_TRUE(bad.message().starts_with("corrupt profile encoding at byte 2: ")) << bad.message();
}

TEST(EncodingTest, EveryTruncationFails) {
  std::string bytes = Encode(EveryKind());
  for (size_t n = 0; n < bytes.size(); ++n) {
    StatusOr<Profile> r = Decode(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  }
}

// Mutated and random inputs: never crash; whatever decodes re-encodes and decodes the same.
TEST(EncodingTest, GarbageNeverCrashes) {
  std::mt19937_64 rng(1234);
  const std::string good = Encode(EveryKind());
  int decoded = 0;
  for (int iter = 0; iter < 200000; ++iter) {
    std::string bytes;
    if (iter % 2 == 0) {
      bytes = good;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
      }
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    } else {
      bytes.resize(rng() % 40);
      for (char& c : bytes) c = static_cast<char>(rng() % 8 == 0 ? 1 : rng());
      if (!bytes.empty()) bytes[0] = 1;
    }
    StatusOr<Profile> r = Decode(bytes);
    if (!r.ok()) {
      ASSERT_TRUE(r.status().message().starts_with("corrupt profile encoding at byte "));
      continue;
    }
    ++decoded;
    StatusOr<Profile> again = Decode(Encode(*r));
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(*again, *r);
  }
  EXPECT_GT(decoded, 0);  // some mutations land in values and still decode
}

TEST(EncodingTest, IsCompact) {
  Profile p;
  ASSERT_TRUE(p.Apply(Update("email", Kind::kString, MergeOp::kLatest,
                             Scalar::String("a@example.com"), 1'700'000'000'000))
                  .ok());
  ASSERT_TRUE(
      p.Apply(Update("opens", Kind::kInt, MergeOp::kCount, Scalar::Int(1), 1'700'000'000'000))
          .ok());
  // version 1, count 1, email (name 6, kind+op 2, time 6, value 14), opens (6, 2, count 1).
  EXPECT_EQ(Encode(p).size(), 39u);
}

}  // namespace
}  // namespace cohort::profile
