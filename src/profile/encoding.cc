#include "profile/encoding.h"

#include <bit>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/coding.h"

namespace cohort::profile {
namespace {

void PutScalar(std::string* dst, const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kBool:
      dst->push_back(s.b ? 1 : 0);
      break;
    case Scalar::Type::kInt:
      PutVarsint64(dst, s.i);
      break;
    case Scalar::Type::kNumber:
      PutBigEndian64(dst, std::bit_cast<uint64_t>(s.d));
      break;
    case Scalar::Type::kString:
      PutLengthPrefixed(dst, s.s);
      break;
    case Scalar::Type::kNull:
      break;  // never stored: FieldState values are not null
  }
}

void PutRep(std::string* dst, const FieldRep& rep) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, TimedValue>) {
          PutVarsint64(dst, r.time_ms);
          PutScalar(dst, r.value);
        } else if constexpr (std::is_same_v<T, ExtremeValue>) {
          PutScalar(dst, r.value);
        } else if constexpr (std::is_same_v<T, IntSum>) {
          PutVarsint64(dst, r.sum);
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          PutVarint64(dst, r.count);
        } else if constexpr (std::is_same_v<T, NumberSum>) {
          r.sum.EncodeTo(dst);
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          PutVarint64(dst, r.cap);
          PutVarint64(dst, r.members.size());
          for (const auto& [m, t] : r.members) {
            PutLengthPrefixed(dst, m);
            PutVarsint64(dst, t);
          }
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          PutVarint64(dst, r.cap);
          PutVarsint64(dst, r.time_ms);
          PutVarint64(dst, r.members.size());
          for (const std::string& m : r.members) PutLengthPrefixed(dst, m);
        } else if constexpr (std::is_same_v<T, MapSum>) {
          PutVarint64(dst, r.sums.size());
          for (const auto& [k, v] : r.sums) {
            PutLengthPrefixed(dst, k);
            PutVarsint64(dst, v);
          }
        } else if constexpr (std::is_same_v<T, MapLatest>) {
          PutVarint64(dst, r.entries.size());
          for (const auto& [k, tv] : r.entries) {
            PutLengthPrefixed(dst, k);
            PutVarsint64(dst, tv.time_ms);
            PutScalar(dst, tv.value);
          }
        } else {
          PutVarint64(dst, r.entries.size());
          for (const auto& [k, v] : r.entries) {
            PutLengthPrefixed(dst, k);
            PutScalar(dst, v);
          }
        }
      },
      rep);
}

// Reads from a view and remembers how far it got, for error messages.
class Reader {
 public:
  explicit Reader(std::string_view data) : size_(data.size()), in_(data) {}

  size_t offset() const { return size_ - in_.size(); }
  bool done() const { return in_.empty(); }

  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t* v) { return GetVarint64(&in_, v); }
  bool Varsint(int64_t* v) { return GetVarsint64(&in_, v); }
  bool Bytes(std::string* s) {
    return Atomic([&] {
      std::string_view v;
      if (!GetLengthPrefixed(&in_, &v)) return false;
      s->assign(v);
      return true;
    });
  }
  bool Cap(uint32_t* cap) {
    uint64_t v;
    if (!Varint(&v) || v > std::numeric_limits<uint32_t>::max()) return false;
    *cap = static_cast<uint32_t>(v);
    return true;
  }
  bool Sum(ExactSum* s) {
    return Atomic([&] { return ExactSum::DecodeFrom(&in_, s); });
  }

  // A scalar of a known type.
  bool Value(Scalar::Type type, Scalar* s) {
    return Atomic([&] { return ValueImpl(type, s); });
  }

 private:
  // Runs `read`; if it fails, rewinds so that offset() points at the start of the bad item.
  template <typename F>
  bool Atomic(F read) {
    std::string_view start = in_;
    if (read()) return true;
    in_ = start;
    return false;
  }

  bool ValueImpl(Scalar::Type type, Scalar* s) {
    switch (type) {
      case Scalar::Type::kBool: {
        uint8_t b;
        if (!Byte(&b) || b > 1) return false;
        *s = Scalar::Bool(b == 1);
        return true;
      }
      case Scalar::Type::kInt: {
        int64_t i;
        if (!Varsint(&i)) return false;
        *s = Scalar::Int(i);
        return true;
      }
      case Scalar::Type::kNumber: {
        uint64_t bits;
        if (!GetBigEndian64(&in_, &bits)) return false;
        *s = Scalar::Number(std::bit_cast<double>(bits));  // FromRep rejects NaN, inf, -0
        return true;
      }
      case Scalar::Type::kString: {
        std::string v;
        if (!Bytes(&v)) return false;
        *s = Scalar::String(std::move(v));
        return true;
      }
      case Scalar::Type::kNull:
        return false;
    }
    return false;
  }

  size_t size_;
  std::string_view in_;
};

// Reads the entries of a map-like payload: a count, then entries in strictly increasing key
// order, each read by `entry(std::move(key))` after its key, which stores the key and returns
// where (valid until the next call), or nullptr on failure.
template <typename EntryFn>
bool ReadKeyed(Reader* r, EntryFn entry) {
  uint64_t n;
  if (!r->Varint(&n)) return false;
  const std::string* prev = nullptr;
  for (uint64_t i = 0; i < n; ++i) {
    std::string key;
    if (!r->Bytes(&key)) return false;
    if (prev && key <= *prev) return false;
    prev = entry(std::move(key));
    if (!prev) return false;
  }
  return true;
}

bool ReadRep(Reader* r, Scalar::Type type, FieldRep* rep) {
  return std::visit(
      [&](auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, TimedValue>) {
          return r->Varsint(&x.time_ms) && r->Value(type, &x.value);
        } else if constexpr (std::is_same_v<T, ExtremeValue>) {
          return r->Value(type, &x.value);
        } else if constexpr (std::is_same_v<T, IntSum>) {
          return r->Varsint(&x.sum);
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          return r->Varint(&x.count);
        } else if constexpr (std::is_same_v<T, NumberSum>) {
          return r->Sum(&x.sum);
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          if (!r->Cap(&x.cap)) return false;
          return ReadKeyed(r, [&](std::string&& m) -> const std::string* {
            int64_t t;
            if (!r->Varsint(&t)) return nullptr;
            return &x.members.emplace_hint(x.members.end(), std::move(m), t)->first;
          });
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          if (!r->Cap(&x.cap) || !r->Varsint(&x.time_ms)) return false;
          return ReadKeyed(r, [&](std::string&& m) -> const std::string* {
            x.members.push_back(std::move(m));
            return &x.members.back();
          });
        } else if constexpr (std::is_same_v<T, MapSum>) {
          return ReadKeyed(r, [&](std::string&& k) -> const std::string* {
            int64_t v;
            if (!r->Varsint(&v)) return nullptr;
            return &x.sums.emplace_hint(x.sums.end(), std::move(k), v)->first;
          });
        } else if constexpr (std::is_same_v<T, MapLatest>) {
          return ReadKeyed(r, [&](std::string&& k) -> const std::string* {
            TimedValue tv;
            if (!r->Varsint(&tv.time_ms) || !r->Value(type, &tv.value)) return nullptr;
            return &x.entries.emplace_hint(x.entries.end(), std::move(k), std::move(tv))->first;
          });
        } else {
          return ReadKeyed(r, [&](std::string&& k) -> const std::string* {
            Scalar v;
            if (!r->Value(type, &v)) return nullptr;
            return &x.entries.emplace_hint(x.entries.end(), std::move(k), std::move(v))->first;
          });
        }
      },
      *rep);
}

Status Corrupt(size_t at, std::string_view what) {
  return InternalError("corrupt profile encoding at byte " + std::to_string(at) + ": " +
                       std::string(what));
}

}  // namespace

std::string Encode(const Profile& profile) {
  std::string out;
  EncodeTo(profile, &out);
  return out;
}

void EncodeTo(const Profile& profile, std::string* out) {
  out->push_back(static_cast<char>(kProfileEncodingVersion));
  PutVarint64(out, profile.size());
  for (const auto& [name, state] : profile.fields()) {
    PutLengthPrefixed(out, name);
    out->push_back(static_cast<char>(state.kind()));
    out->push_back(static_cast<char>(state.op()));
    PutRep(out, state.rep());
  }
}

StatusOr<Profile> Decode(std::string_view data) {
  Reader r(data);
  uint8_t version;
  if (!r.Byte(&version)) return Corrupt(r.offset(), "empty");
  if (version != kProfileEncodingVersion) return Corrupt(0, "unknown version");
  uint64_t n;
  if (!r.Varint(&n)) return Corrupt(r.offset(), "truncated field count");
  Profile profile;
  std::string prev;
  for (uint64_t i = 0; i < n; ++i) {
    const size_t field_at = r.offset();
    std::string name;
    if (!r.Bytes(&name)) return Corrupt(r.offset(), "truncated field name");
    if (i > 0 && name <= prev) return Corrupt(field_at, "field names not strictly sorted");
    uint8_t kind_byte, op_byte;
    if (!r.Byte(&kind_byte) || !r.Byte(&op_byte)) return Corrupt(r.offset(), "truncated kind");
    const auto kind = static_cast<Kind>(kind_byte);
    const auto op = static_cast<MergeOp>(op_byte);
    std::optional<FieldRep> rep = FieldState::EmptyRep(kind, op);
    if (!rep) return Corrupt(r.offset() - 2, "unknown kind or merge op");
    if (!ReadRep(&r, FieldState::ValueType(kind), &*rep)) {
      return Corrupt(r.offset(), "bad field value");
    }
    StatusOr<FieldState> state = FieldState::FromRep(kind, op, std::move(*rep));
    if (!state.ok()) return Corrupt(field_at, state.status().message());
    prev = name;
    RETURN_IF_ERROR(profile.AddField(std::move(name), *std::move(state)));  // names are new
  }
  if (!r.done()) return Corrupt(r.offset(), "trailing bytes");
  return profile;
}

}  // namespace cohort::profile
