#include "audience/profile_index.h"

#include <cmath>
#include <functional>
#include <memory>

#include "segment/like.h"

namespace cohort::audience {
namespace {

using segment::BoundNode;
using segment::CompareOp;
using segment::Target;
using segment::ValueKind;
using Kind = mapping::Kind;

std::string BoolText(bool b) { return b ? "true" : "false"; }

bool Cmp(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

template <typename T>
int Three(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

double AsDouble(const mapping::Scalar& s) {
  return s.type == mapping::Scalar::Type::kInt ? static_cast<double>(s.i) : s.d;
}

// Operand instant or number for dates (relative ones resolved against now).
int64_t DateOperand(const segment::Operand& o, int64_t now) {
  return o.relative ? now + o.value.i : o.value.i;
}

// Unions the bitmaps of `m` whose key satisfies `pred`.
template <typename K, typename Pred>
Roaring UnionWhere(const std::map<K, Roaring>& m, Pred pred) {
  Roaring out;
  for (const auto& [k, b] : m) {
    if (pred(k)) out |= b;
  }
  return out;
}

}  // namespace

void ProfileIndex::Clear() {
  all_ = Roaring();
  fields_.clear();
}

void ProfileIndex::Add(uint32_t pid, const profile::Profile& p) { Update(pid, p, true); }
void ProfileIndex::Remove(uint32_t pid, const profile::Profile& p) { Update(pid, p, false); }

void ProfileIndex::Update(uint32_t pid, const profile::Profile& p, bool add) {
  auto bit = [&](Roaring& r) {
    if (add) {
      r.add(pid);
    } else {
      r.remove(pid);
    }
  };
  bit(all_);
  for (const auto& [name, state] : p.fields()) {
    FieldIndex& f = fields_[name];
    f.kind = state.kind();
    bit(f.present);
    mapping::Value v = state.value();
    switch (state.kind()) {
      case Kind::kString: {
        if (f.value_of.size() <= pid) f.value_of.resize(pid + 1 + pid / 4, 0);
        if (!add || v.scalar.type != mapping::Scalar::Type::kString) {
          f.value_of[pid] = 0;
          break;
        }
        auto [it, inserted] =
            f.dict_id.try_emplace(v.scalar.s, static_cast<uint32_t>(f.dict_end.size()));
        if (inserted) {
          f.dict_bytes += v.scalar.s;
          f.dict_end.push_back(static_cast<uint32_t>(f.dict_bytes.size()));
        }
        f.value_of[pid] = it->second + 1;
        break;
      }
      case Kind::kBool:
        if (v.scalar.type == mapping::Scalar::Type::kBool) bit(f.values[BoolText(v.scalar.b)]);
        break;
      case Kind::kInt:
      case Kind::kDate:
        if (f.ints.size() <= pid) f.ints.resize(pid + 1 + pid / 4, kMissing);
        f.ints[pid] = add && v.scalar.type == mapping::Scalar::Type::kInt ? v.scalar.i
                      : add && v.scalar.type == mapping::Scalar::Type::kNumber
                          ? static_cast<int64_t>(v.scalar.d)
                          : kMissing;
        break;
      case Kind::kNumber:
        if (f.nums.size() <= pid) f.nums.resize(pid + 1 + pid / 4, std::nan(""));
        f.nums[pid] = add ? AsDouble(v.scalar) : std::nan("");
        break;
      case Kind::kStringSet:
        for (const auto& m : v.set) bit(f.values[m]);
        break;
      default:  // maps
        for (const auto& [key, val] : v.map) {
          bit(f.values[key]);
          if (val.type == mapping::Scalar::Type::kInt) {
            bit(f.key_ints[key][val.i]);
          } else if (val.type == mapping::Scalar::Type::kString) {
            bit(f.key_strings[key][val.s]);
          }
        }
        break;
    }
  }
}

size_t ProfileIndex::MemoryBytes() const {
  size_t n = all_.getSizeInBytes();
  for (const auto& [name, f] : fields_) {
    n += f.present.getSizeInBytes() + f.ints.capacity() * 8 + f.nums.capacity() * 8 +
         f.value_of.capacity() * 4;
    n += f.dict_bytes.capacity() * 2 + f.dict_end.capacity() * 4 + f.dict_id.size() * 48;
    for (const auto& [k, b] : f.values) n += k.size() + 48 + b.getSizeInBytes();
    for (const auto& [k, m] : f.key_ints) {
      for (const auto& [v, b] : m) n += 48 + b.getSizeInBytes();
    }
    for (const auto& [k, m] : f.key_strings) {
      for (const auto& [v, b] : m) n += v.size() + 48 + b.getSizeInBytes();
    }
  }
  return n;
}

std::optional<Roaring> ProfileIndex::Evaluate(const segment::BoundFilter& filter,
                                              int64_t now_ms) const {
  if (!filter.root) return std::nullopt;
  return Node(*filter.root, now_ms);
}

std::optional<Roaring> ProfileIndex::Node(const BoundNode& n, int64_t now) const {
  switch (n.op) {
    case BoundNode::Op::kAnd: {
      std::optional<Roaring> acc;
      for (const auto& c : n.children) {
        auto r = Node(*c, now);
        if (!r) return std::nullopt;
        if (!acc) {
          acc = std::move(r);
        } else {
          *acc &= *r;
        }
      }
      return acc ? acc : std::optional<Roaring>(all_);
    }
    case BoundNode::Op::kOr: {
      Roaring acc;
      for (const auto& c : n.children) {
        auto r = Node(*c, now);
        if (!r) return std::nullopt;
        acc |= *r;
      }
      return acc;
    }
    case BoundNode::Op::kNot: {
      auto r = Node(*n.children.at(0), now);
      if (!r) return std::nullopt;
      return all_ - *r;
    }
    case BoundNode::Op::kInclude:
      return Node(*n.children.at(0), now);
    default:
      return Atom(n, now);
  }
}

std::optional<Roaring> ProfileIndex::Atom(const BoundNode& n, int64_t now) const {
  auto fit = fields_.find(n.field);
  if (fit == fields_.end()) return Roaring();  // nobody has the field: every atom is false
  const FieldIndex& f = fit->second;
  const auto& ops = n.operands;
  using Op = BoundNode::Op;

  // Dense numeric/date scans over the profiles that have the field.
  auto scan = [&](auto pred) {
    std::vector<uint32_t> hits;
    for (uint32_t pid : f.present) pred(pid, &hits);
    Roaring out;
    out.addMany(hits.size(), hits.data());
    return out;
  };
  auto string_pred = [&](auto pred) { return UnionWhere(f.values, pred); };

  if (n.target == Target::kValue) {
    if (n.op == Op::kExists) return f.present;
    if (n.value_kind == ValueKind::kString && f.kind == Kind::kString) {
      // Each distinct value once (in one contiguous buffer), then one pass over the ids.
      std::vector<char> match(f.dict_end.size());
      bool any = false;
      auto each = [&](auto pred) {
        uint32_t begin = 0;
        std::string_view all = f.dict_bytes;
        for (size_t i = 0; i < f.dict_end.size(); ++i) {
          std::string_view k = all.substr(begin, f.dict_end[i] - begin);
          begin = f.dict_end[i];
          any |= (match[i] = pred(k));
        }
      };
      switch (n.op) {
        case Op::kCompare: {
          std::string_view v = ops.at(0).value.s;
          each([&](std::string_view k) { return Cmp(n.cmp, k.compare(v)); });
          break;
        }
        case Op::kIn:
          each([&](std::string_view k) {
            for (const auto& o : ops) {
              if (k == o.value.s) return true;
            }
            return false;
          });
          break;
        case Op::kContains: {
          std::string_view needle = ops.at(0).value.s;
          each([&](std::string_view k) { return k.find(needle) != std::string_view::npos; });
          break;
        }
        case Op::kLike: {
          segment::LikePattern pat(ops.at(0).value.s);
          each([&](std::string_view k) { return pat.Matches(k); });
          break;
        }
        case Op::kBetween: {
          std::string_view lo = ops.at(0).value.s, hi = ops.at(1).value.s;
          each([&](std::string_view k) { return lo <= k && k <= hi; });
          break;
        }
        default: return std::nullopt;
      }
      Roaring out;
      if (!any) return out;
      std::vector<uint32_t> hits;
      for (uint32_t pid = 0; pid < f.value_of.size(); ++pid) {
        uint32_t id = f.value_of[pid];
        if (id && match[id - 1]) hits.push_back(pid);
      }
      out.addMany(hits.size(), hits.data());
      return out;
    }
    if (n.value_kind == ValueKind::kString || n.value_kind == ValueKind::kBool) {
      auto text = [&](const segment::Operand& o) {
        return n.value_kind == ValueKind::kBool ? BoolText(o.value.b) : o.value.s;
      };
      switch (n.op) {
        case Op::kCompare: {
          std::string v = text(ops.at(0));
          return string_pred([&](const std::string& k) { return Cmp(n.cmp, k.compare(v)); });
        }
        case Op::kIn: {
          Roaring out;
          for (const auto& o : ops) {
            auto it = f.values.find(text(o));
            if (it != f.values.end()) out |= it->second;
          }
          return out;
        }
        case Op::kContains:
          return string_pred([&](const std::string& k) {
            return k.find(ops.at(0).value.s) != std::string::npos;
          });
        case Op::kLike: {
          segment::LikePattern pat(ops.at(0).value.s);
          return string_pred([&](const std::string& k) { return pat.Matches(k); });
        }
        case Op::kBetween: {
          std::string lo = text(ops.at(0)), hi = text(ops.at(1));
          return string_pred([&](const std::string& k) { return lo <= k && k <= hi; });
        }
        default: return std::nullopt;
      }
    }
    const bool is_date = n.value_kind == ValueKind::kDate;
    auto operand = [&](const segment::Operand& o) -> double {
      return is_date ? static_cast<double>(DateOperand(o, now)) : AsDouble(o.value);
    };
    auto value_at = [&](uint32_t pid, double* out) -> bool {
      if (f.kind == Kind::kNumber) {
        if (pid >= f.nums.size() || std::isnan(f.nums[pid])) return false;
        *out = f.nums[pid];
        return true;
      }
      if (pid >= f.ints.size() || f.ints[pid] == kMissing) return false;
      *out = static_cast<double>(f.ints[pid]);
      return true;
    };
    switch (n.op) {
      case Op::kCompare: {
        double b = operand(ops.at(0));
        return scan([&](uint32_t pid, std::vector<uint32_t>* out) {
          double a;
          if (value_at(pid, &a) && Cmp(n.cmp, Three(a, b))) out->push_back(pid);
        });
      }
      case Op::kIn: {
        std::vector<double> vs;
        for (const auto& o : ops) vs.push_back(operand(o));
        return scan([&](uint32_t pid, std::vector<uint32_t>* out) {
          double a;
          if (!value_at(pid, &a)) return;
          for (double v : vs) {
            if (a == v) {
              out->push_back(pid);
              return;
            }
          }
        });
      }
      case Op::kBetween: {
        double lo = operand(ops.at(0)), hi = operand(ops.at(1));
        return scan([&](uint32_t pid, std::vector<uint32_t>* out) {
          double a;
          if (value_at(pid, &a) && lo <= a && a <= hi) out->push_back(pid);
        });
      }
      default: return std::nullopt;
    }
  }

  if (n.target == Target::kMembers || n.target == Target::kKeys) {
    auto get = [&](const std::string& v) {
      auto it = f.values.find(v);
      return it == f.values.end() ? Roaring() : it->second;
    };
    switch (n.op) {
      case Op::kExists: return f.present;
      case Op::kCompare:
        if (n.cmp == CompareOp::kEq) return get(ops.at(0).value.s);
        if (n.cmp == CompareOp::kNe) return f.present - get(ops.at(0).value.s);
        return std::nullopt;
      case Op::kIn: {
        Roaring out;
        for (const auto& o : ops) out |= get(o.value.s);
        return out;
      }
      case Op::kContains: return get(ops.at(0).value.s);
      case Op::kLike: {
        segment::LikePattern pat(ops.at(0).value.s);
        return string_pred([&](const std::string& k) { return pat.Matches(k); });
      }
      default: return std::nullopt;
    }
  }

  // kKeyValue: the value at one key of a map.
  if (!n.key) return std::nullopt;
  const std::string& key = *n.key;
  if (n.op == Op::kExists) {
    auto it = f.values.find(key);
    return it == f.values.end() ? Roaring() : it->second;
  }
  if (n.value_kind == ValueKind::kString) {
    auto kit = f.key_strings.find(key);
    if (kit == f.key_strings.end()) return Roaring();
    const auto& m = kit->second;
    switch (n.op) {
      case Op::kCompare: {
        const std::string& v = ops.at(0).value.s;
        return UnionWhere(m, [&](const std::string& k) { return Cmp(n.cmp, k.compare(v)); });
      }
      case Op::kIn: {
        Roaring out;
        for (const auto& o : ops) {
          auto it = m.find(o.value.s);
          if (it != m.end()) out |= it->second;
        }
        return out;
      }
      case Op::kContains:
        return UnionWhere(m, [&](const std::string& k) {
          return k.find(ops.at(0).value.s) != std::string::npos;
        });
      case Op::kLike: {
        segment::LikePattern pat(ops.at(0).value.s);
        return UnionWhere(m, [&](const std::string& k) { return pat.Matches(k); });
      }
      case Op::kBetween: {
        const std::string &lo = ops.at(0).value.s, &hi = ops.at(1).value.s;
        return UnionWhere(m, [&](const std::string& k) { return lo <= k && k <= hi; });
      }
      default: return std::nullopt;
    }
  }
  if (f.kind == Kind::kMapNumber) return std::nullopt;  // values not indexed
  auto kit = f.key_ints.find(key);
  if (kit == f.key_ints.end()) return Roaring();
  const auto& m = kit->second;
  const bool is_date = n.value_kind == ValueKind::kDate;
  auto operand = [&](const segment::Operand& o) -> double {
    return is_date ? static_cast<double>(DateOperand(o, now)) : AsDouble(o.value);
  };
  switch (n.op) {
    case Op::kCompare: {
      double b = operand(ops.at(0));
      return UnionWhere(m, [&](int64_t k) { return Cmp(n.cmp, Three(static_cast<double>(k), b)); });
    }
    case Op::kIn: {
      Roaring out;
      for (const auto& o : ops) {
        double v = operand(o);
        for (const auto& [k, b] : m) {
          if (static_cast<double>(k) == v) out |= b;
        }
      }
      return out;
    }
    case Op::kBetween: {
      double lo = operand(ops.at(0)), hi = operand(ops.at(1));
      return UnionWhere(m, [&](int64_t k) {
        double d = static_cast<double>(k);
        return lo <= d && d <= hi;
      });
    }
    default: return std::nullopt;
  }
}

}  // namespace cohort::audience
