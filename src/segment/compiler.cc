#include "segment/compiler.h"

#include <algorithm>
#include <map>
#include <utility>

#include "segment/compare.h"
#include "segment/field_access.h"
#include "segment/like.h"

namespace cohort::segment {
namespace {

using mapping::Scalar;
using MatcherPtr = std::shared_ptr<const Matcher>;
using Op = BoundNode::Op;

class AllOf final : public Matcher {
 public:
  explicit AllOf(std::vector<MatcherPtr> children) : children_(std::move(children)) {}
  bool Match(const EvalContext& ctx) const override {
    for (const MatcherPtr& c : children_) {
      if (!c->Match(ctx)) return false;
    }
    return true;
  }

 private:
  std::vector<MatcherPtr> children_;
};

class AnyOf final : public Matcher {
 public:
  explicit AnyOf(std::vector<MatcherPtr> children) : children_(std::move(children)) {}
  bool Match(const EvalContext& ctx) const override {
    for (const MatcherPtr& c : children_) {
      if (c->Match(ctx)) return true;
    }
    return false;
  }

 private:
  std::vector<MatcherPtr> children_;
};

class Not final : public Matcher {
 public:
  explicit Not(MatcherPtr child) : child_(std::move(child)) {}
  bool Match(const EvalContext& ctx) const override { return !child_->Match(ctx); }

 private:
  MatcherPtr child_;
};

// The base of the atoms: the field (and key) they read.
class FieldMatcher : public Matcher {
 protected:
  explicit FieldMatcher(const BoundNode& n) : field_(n.field), key_(n.key) {}
  const profile::FieldState* State(const EvalContext& ctx) const {
    return ctx.profile.Find(field_);
  }
  // The value the atom reads: the field's scalar, or the value at the key.
  const Scalar* ValueOf(const profile::FieldState& s, Scalar* scratch) const {
    return key_ ? MapValueOf(s, *key_, scratch) : ScalarOf(s, scratch);
  }

  std::string field_;
  std::optional<std::string> key_;
};

class Exists final : public FieldMatcher {
 public:
  explicit Exists(const BoundNode& n) : FieldMatcher(n) {}
  bool Match(const EvalContext& ctx) const override {
    const profile::FieldState* s = State(ctx);
    if (s == nullptr) return false;
    if (!key_) return true;  // a stored field always has a value
    Scalar scratch;
    return MapValueOf(*s, *key_, &scratch) != nullptr;
  }
};

// Comparison of a value with one operand: -1/0/1, or nullopt if the value is not of the
// kind the operand compares with (a profile written before its query's kind changed).
std::optional<int> CompareValue(const Scalar& v, ValueKind kind, const Operand& o, int64_t now) {
  switch (kind) {
    case ValueKind::kString:
      if (v.type != Scalar::Type::kString) return std::nullopt;
      return CompareText(v.s, o.value.s);
    case ValueKind::kNumber:
      if (v.type != Scalar::Type::kInt && v.type != Scalar::Type::kNumber) return std::nullopt;
      return CompareNumbers(v, o.value);
    case ValueKind::kBool:
      if (v.type != Scalar::Type::kBool) return std::nullopt;
      return v.b == o.value.b ? 0 : (v.b ? 1 : -1);
    case ValueKind::kDate:
      if (v.type != Scalar::Type::kInt) return std::nullopt;
      return CompareInstant(v.i, o.relative ? now : 0, o.value.i);
  }
  return std::nullopt;
}

// An atom on one value: a scalar field's, or a map's at one key.
class ValueAtom final : public FieldMatcher {
 public:
  explicit ValueAtom(const BoundNode& n)
      : FieldMatcher(n), op_(n.op), cmp_(n.cmp), kind_(n.value_kind), operands_(n.operands) {
    if (op_ == Op::kLike) like_.emplace(operands_[0].value.s);
  }

  bool Match(const EvalContext& ctx) const override {
    const profile::FieldState* s = State(ctx);
    if (s == nullptr) return false;
    Scalar scratch;
    const Scalar* v = ValueOf(*s, &scratch);
    if (v == nullptr) return false;
    switch (op_) {
      case Op::kCompare: {
        std::optional<int> c = CompareValue(*v, kind_, operands_[0], ctx.now_ms);
        return c && Holds(cmp_, *c);
      }
      case Op::kIn:
        for (const Operand& o : operands_) {
          std::optional<int> c = CompareValue(*v, kind_, o, ctx.now_ms);
          if (c && *c == 0) return true;
        }
        return false;
      case Op::kBetween: {
        std::optional<int> lo = CompareValue(*v, kind_, operands_[0], ctx.now_ms);
        std::optional<int> hi = CompareValue(*v, kind_, operands_[1], ctx.now_ms);
        return lo && hi && *lo >= 0 && *hi <= 0;
      }
      case Op::kContains:
        return v->type == Scalar::Type::kString &&
               v->s.find(operands_[0].value.s) != std::string::npos;
      case Op::kLike:
        return v->type == Scalar::Type::kString && like_->Matches(v->s);
      default:
        return false;
    }
  }

 private:
  Op op_;
  CompareOp cmp_;
  ValueKind kind_;
  std::vector<Operand> operands_;
  std::optional<LikePattern> like_;
};

// An atom on the members of a []string field or the keys of a map field.
class MemberAtom final : public FieldMatcher {
 public:
  explicit MemberAtom(const BoundNode& n)
      : FieldMatcher(n), op_(n.op), negate_(n.op == Op::kCompare && n.cmp == CompareOp::kNe) {
    for (const Operand& o : n.operands) wanted_.push_back(o.value.s);
    std::sort(wanted_.begin(), wanted_.end());
    wanted_.erase(std::unique(wanted_.begin(), wanted_.end()), wanted_.end());
    if (op_ == Op::kLike) like_.emplace(wanted_[0]);
  }

  bool Match(const EvalContext& ctx) const override {
    const profile::FieldState* s = State(ctx);
    if (s == nullptr) return false;
    if (op_ == Op::kLike) {
      return AnyMember(*s, [&](std::string_view m) { return like_->Matches(m); });
    }
    bool any = false;
    for (const std::string& w : wanted_) {
      if (HasMember(*s, w)) {
        any = true;
        break;
      }
    }
    if (!negate_) return any;
    // != : the field has members (it is a set or map of this profile), none of them this one.
    return !any && AnyMember(*s, [](std::string_view) { return true; });
  }

 private:
  Op op_;
  bool negate_;
  std::vector<std::string> wanted_;
  std::optional<LikePattern> like_;
};

class Compiler {
 public:
  Program Run(const BoundFilter& f) {
    Program p;
    p.root = Compile(*f.root);
    p.time_atoms = std::move(atoms_);
    return p;
  }

 private:
  MatcherPtr Compile(const BoundNode& n) {
    if (auto it = done_.find(&n); it != done_.end()) return it->second;
    MatcherPtr m;
    switch (n.op) {
      case Op::kAnd:
      case Op::kOr: {
        std::vector<MatcherPtr> children;
        for (const auto& c : n.children) children.push_back(Compile(*c));
        if (children.size() == 1) {
          m = children[0];
        } else if (n.op == Op::kAnd) {
          m = std::make_shared<AllOf>(std::move(children));
        } else {
          m = std::make_shared<AnyOf>(std::move(children));
        }
        break;
      }
      case Op::kNot:
        m = std::make_shared<Not>(Compile(*n.children[0]));
        break;
      case Op::kInclude:
        m = Compile(*n.children[0]);
        break;
      case Op::kExists:
        m = std::make_shared<Exists>(n);
        break;
      default:
        if (n.target == Target::kMembers || n.target == Target::kKeys) {
          m = std::make_shared<MemberAtom>(n);
        } else {
          m = std::make_shared<ValueAtom>(n);
          AddTimeAtom(n);
        }
        break;
    }
    done_.emplace(&n, m);
    return m;
  }

  void AddTimeAtom(const BoundNode& n) {
    if (n.value_kind != ValueKind::kDate) return;
    TimeAtom a{n.field, n.key, {}};
    for (const Operand& o : n.operands) {
      if (o.relative) a.offsets.push_back(o.value.i);
    }
    if (!a.offsets.empty()) atoms_.push_back(std::move(a));
  }

  std::map<const BoundNode*, MatcherPtr> done_;
  std::vector<TimeAtom> atoms_;
};

}  // namespace

Program CompileProgram(const BoundFilter& filter) { return Compiler().Run(filter); }

}  // namespace cohort::segment
