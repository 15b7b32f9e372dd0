#include "segment/binder.h"

#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include "lang/edit_distance.h"
#include "lang/text.h"
#include "segment/compare.h"
#include "segment/date_literal.h"
#include "segment/parser.h"

namespace cohort::segment {

using lang::LangError;
using lang::Result;
using mapping::Kind;
using mapping::Scalar;

namespace {

using NodePtr = std::shared_ptr<const BoundNode>;
using Op = BoundNode::Op;

constexpr size_t kMaxSlug = 64;

std::string Q(std::string_view s) {
  std::string out = "'";
  out.append(s).append("'");
  return out;
}

ValueKind ValueKindOf(Kind k) {
  switch (k) {
    case Kind::kInt:
    case Kind::kNumber:
    case Kind::kMapIntSum:
    case Kind::kMapInt:
    case Kind::kMapNumber:
      return ValueKind::kNumber;
    case Kind::kBool:
      return ValueKind::kBool;
    case Kind::kDate:
    case Kind::kMapTime:
      return ValueKind::kDate;
    default:
      return ValueKind::kString;
  }
}

// The kind of one value of a map kind, as it reads in messages.
std::string_view MapValueName(Kind k) {
  switch (k) {
    case Kind::kMapIntSum:
    case Kind::kMapInt:
      return "int";
    case Kind::kMapNumber:
      return "number";
    case Kind::kMapTime:
      return "date";
    default:
      return "string";
  }
}

struct FieldInfo {
  const FieldRef* ref = nullptr;
  Kind kind = Kind::kString;
  Target target = Target::kValue;
  ValueKind vk = ValueKind::kString;

  // "'age' (int)", "'cio_events.email_opened' (int value of map[string]intsum)".
  std::string Label() const {
    std::string type(mapping::KindName(kind));
    if (target == Target::kKeyValue) type = std::string(MapValueName(kind)) + " value of " + type;
    return Q(ref->Display()) + " (" + type + ")";
  }
};

std::string Found(const Literal& l) {
  switch (l.type) {
    case Literal::Type::kString:
      return "text \"" + l.text + "\"";
    case Literal::Type::kNumber:
      return "the number " + l.text;
    case Literal::Type::kBool:
      return l.text;
  }
  return "a value";
}

// A literal as it would be written: strings in double quotes.
std::string Spelling(const Literal& l) {
  return l.type == Literal::Type::kString ? "\"" + l.text + "\"" : l.text;
}

std::string_view PhraseOpName(const Phrase& p) {
  switch (p.type) {
    case Phrase::Type::kCompare:
      return CompareOpSpelling(p.op);
    case Phrase::Type::kIn:
      return "IN";
    case Phrase::Type::kIntersects:
      return "INTERSECTS";
    case Phrase::Type::kContains:
      return "CONTAINS";
    case Phrase::Type::kLike:
      return "LIKE";
    case Phrase::Type::kBetween:
      return "BETWEEN";
    default:
      return "";
  }
}

bool IsOrdering(const Phrase& p) {
  return p.type == Phrase::Type::kBetween ||
         (p.type == Phrase::Type::kCompare && p.op != CompareOp::kEq && p.op != CompareOp::kNe);
}

// Whether the operator fits what the field gives; the message if not.
lang::Check CheckOperator(const Phrase& p, const FieldInfo& f) {
  const std::string op(PhraseOpName(p));
  const std::string head = op + " does not apply to " + f.Label() + "; ";
  switch (f.target) {
    case Target::kKeys:
      if (p.type == Phrase::Type::kIn || p.type == Phrase::Type::kIntersects ||
          p.type == Phrase::Type::kContains) {
        return std::nullopt;
      }
      return LangError(p.pos, head + "compare one key, e.g. " + f.ref->name +
                                  ".<key> > 2, or test keys with IN, INTERSECTS, CONTAINS or "
                                  "EXISTS");
    case Target::kMembers:
      if (IsOrdering(p)) {
        return LangError(p.pos, head +
                                    "a []string field takes = and != (has a member), IN or "
                                    "INTERSECTS (has any of), CONTAINS, LIKE and EXISTS");
      }
      return std::nullopt;
    case Target::kValue:
    case Target::kKeyValue:
      break;
  }
  if (p.type == Phrase::Type::kIntersects) {
    return LangError(p.pos, head +
                                "INTERSECTS tests []string and map fields; use IN to compare "
                                "a value with a list");
  }
  if (p.type == Phrase::Type::kContains && f.vk != ValueKind::kString) {
    return LangError(p.pos, head +
                                "CONTAINS finds text in a string, a member of a []string or "
                                "a key of a map");
  }
  if (p.type == Phrase::Type::kLike && f.vk != ValueKind::kString) {
    return LangError(p.pos, head + "LIKE matches text and []string members");
  }
  if (IsOrdering(p) && f.vk == ValueKind::kBool) {
    return LangError(p.pos, head + "compare bool fields with = or !=");
  }
  return std::nullopt;
}

bool ValidSlugChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

class Binder {
 public:
  explicit Binder(const Schema& schema) : schema_(schema) {}

  Result<BoundFilter> Top(const FilterAst& ast, std::string_view self_slug) {
    BoundFilter out;
    if (!self_slug.empty()) stack_.emplace_back(self_slug);
    if (ast.alias) {
      if (!IsValidSlug(ast.alias->text)) return BadSlug(*ast.alias);
      out.alias = ast.alias->text;
      if (out.alias != self_slug) stack_.push_back(out.alias);
    }
    LANG_ASSIGN_OR_RETURN(out.root, Filter(ast));
    out.fields = std::move(fields_);
    out.includes = std::move(includes_);
    out.time_relative = time_relative_;
    return out;
  }

 private:
  Result<NodePtr> Filter(const FilterAst& ast) {
    if (ast.from && !lang::EqualsIgnoreCase(ast.from->text, "user")) {
      return LangError(ast.from->pos,
                       "audiences select user profiles; write FROM user, or leave "
                       "FROM out");
    }
    return Bind(ast.phrase);
  }

  static LangError BadSlug(const Word& w) {
    return LangError(w.pos, Q(w.text) +
                                " is not an audience slug; a slug is 1 to 64 lowercase letters, "
                                "digits, '_' and '-'");
  }

  Result<NodePtr> Bind(const Phrase& p) {
    auto node = std::make_shared<BoundNode>();
    node->pos = p.pos;
    switch (p.type) {
      case Phrase::Type::kAnd:
      case Phrase::Type::kOr:
      case Phrase::Type::kNot:
        node->op = p.type == Phrase::Type::kAnd  ? Op::kAnd
                   : p.type == Phrase::Type::kOr ? Op::kOr
                                                 : Op::kNot;
        for (const Phrase& c : p.children) {
          LANG_ASSIGN_OR_RETURN(NodePtr child, Bind(c));
          node->children.push_back(std::move(child));
        }
        break;
      case Phrase::Type::kInclude:
        return Include(p);
      case Phrase::Type::kExists: {
        node->op = Op::kExists;
        LANG_ASSIGN_OR_RETURN(FieldInfo f, Resolve(p.field));
        SetField(node.get(), f);
        break;
      }
      default: {
        LANG_ASSIGN_OR_RETURN(FieldInfo f, Resolve(p.field));
        LANG_RETURN_IF_ERROR(CheckOperator(p, f));
        SetField(node.get(), f);
        node->cmp = p.op;
        node->op = p.type == Phrase::Type::kCompare    ? Op::kCompare
                   : p.type == Phrase::Type::kContains ? Op::kContains
                   : p.type == Phrase::Type::kLike     ? Op::kLike
                   : p.type == Phrase::Type::kBetween  ? Op::kBetween
                                                       : Op::kIn;
        for (const Literal& l : p.values) {
          LANG_ASSIGN_OR_RETURN(Operand o, BindOperand(l, f));
          node->operands.push_back(std::move(o));
        }
        if (node->op == Op::kBetween) LANG_RETURN_IF_ERROR(CheckBounds(p, *node));
        break;
      }
    }
    return Finish(std::move(node));
  }

  // Sets height and weight, checking the limits INCLUDE could otherwise break.
  Result<NodePtr> Finish(std::shared_ptr<BoundNode> node) {
    for (const NodePtr& c : node->children) {
      node->height = std::max(node->height, c->height + 1);
      node->weight = std::min(kMaxBoundWeight + 1, node->weight + c->weight);
    }
    if (node->height > kMaxBoundHeight) {
      return LangError(node->pos, "audience nested too deeply (more than " +
                                      std::to_string(kMaxBoundHeight) +
                                      " levels, counting included audiences); simplify it");
    }
    if (node->weight > kMaxBoundWeight) {
      return LangError(node->pos, "audience too large (more than " +
                                      std::to_string(kMaxBoundWeight) +
                                      " conditions, counting each inclusion of an audience); "
                                      "simplify it or include fewer audiences");
    }
    return NodePtr(std::move(node));
  }

  static void SetField(BoundNode* node, const FieldInfo& f) {
    node->field = f.ref->name;
    node->key = f.ref->key;
    node->field_kind = f.kind;
    node->target = f.target;
    node->value_kind = f.vk;
  }

  Result<FieldInfo> Resolve(const FieldRef& ref) {
    auto it = schema_.fields.find(ref.name);
    if (it == schema_.fields.end()) {
      std::vector<std::string_view> names;
      for (const auto& [name, kind] : schema_.fields) names.push_back(name);
      std::optional<std::string> near = lang::Nearest(ref.name, names);
      return LangError(ref.pos, "unknown field " + Q(ref.name) + "; " +
                                    (near ? "did you mean " + Q(*near) + "?"
                                          : std::string("a filter can use the user fields of "
                                                        "the schema (GET /api/schema/user)")));
    }
    FieldInfo f;
    f.ref = &ref;
    f.kind = it->second;
    f.vk = ValueKindOf(f.kind);
    const bool is_map = mapping::IsMapKind(f.kind);
    if (ref.key) {
      if (!is_map) {
        return LangError(ref.key_pos, Q(ref.name) + " is a " +
                                          std::string(mapping::KindName(f.kind)) +
                                          " field and has no keys; field.key applies to map "
                                          "fields");
      }
      f.target = Target::kKeyValue;
    } else if (is_map) {
      f.target = Target::kKeys;
      f.vk = ValueKind::kString;
    } else if (f.kind == Kind::kStringSet) {
      f.target = Target::kMembers;
    }
    fields_.insert(ref.name);
    return f;
  }

  Result<Operand> BindOperand(const Literal& l, const FieldInfo& f) {
    Operand o;
    o.pos = l.pos;
    auto mismatch = [&](std::string_view hint) {
      return LangError(
          l.pos, "cannot compare " + f.Label() + " with " + Found(l) + "; " + std::string(hint));
    };
    switch (f.vk) {
      case ValueKind::kString:
        if (l.type == Literal::Type::kString ||
            (l.type == Literal::Type::kNumber && f.target == Target::kKeys)) {
          o.value = Scalar::String(l.text);
          return o;
        }
        if (l.type == Literal::Type::kNumber) {
          return mismatch("write it in quotes: \"" + l.text + "\"");
        }
        return mismatch("write text in quotes");
      case ValueKind::kNumber:
        if (l.type == Literal::Type::kNumber) {
          o.value = l.value;
          return o;
        }
        return mismatch("write a number, without quotes");
      case ValueKind::kBool:
        if (l.type == Literal::Type::kBool) {
          o.value = l.value;
          return o;
        }
        return mismatch("write true or false, without quotes");
      case ValueKind::kDate:
        break;
    }
    if (l.type == Literal::Type::kString) {
      std::variant<DateOperand, std::string> d = ParseDateString(l.text);
      if (const std::string* message = std::get_if<std::string>(&d)) {
        return LangError(l.pos, *message);
      }
      const DateOperand& date = std::get<DateOperand>(d);
      o.value = Scalar::Int(date.ms);
      o.relative = date.relative;
      time_relative_ = time_relative_ || date.relative;
      return o;
    }
    if (l.type == Literal::Type::kNumber) {
      if (l.value.type == Scalar::Type::kInt) {
        o.value = l.value;
        return o;
      }
      return LangError(l.pos,
                       "Unix milliseconds are whole numbers; write e.g. 1717250412000, or a "
                       "date in quotes like \"2024-06-01\"");
    }
    return mismatch("write a date: \"2024-06-01\", \"now-7d\" or Unix milliseconds");
  }

  // BETWEEN a AND b with a above b matches nothing: reject it when both bounds are fixed
  // (or both relative to now).
  lang::Check CheckBounds(const Phrase& p, const BoundNode& n) {
    const Operand& lo = n.operands[0];
    const Operand& hi = n.operands[1];
    int c = 0;
    switch (n.value_kind) {
      case ValueKind::kString:
        c = CompareText(lo.value.s, hi.value.s);
        break;
      case ValueKind::kNumber:
        c = CompareNumbers(lo.value, hi.value);
        break;
      case ValueKind::kDate:
        if (lo.relative != hi.relative) return std::nullopt;
        c = CompareInstant(lo.value.i, 0, hi.value.i);
        break;
      case ValueKind::kBool:
        break;
    }
    if (c <= 0) return std::nullopt;
    return LangError(p.pos, "BETWEEN bounds are reversed (" + Spelling(p.values[0]) + " is above " +
                                Spelling(p.values[1]) + "); write the lower bound first");
  }

  Result<NodePtr> Include(const Phrase& p) {
    const std::string& slug = p.slug.text;
    if (!IsValidSlug(slug)) return BadSlug(p.slug);
    auto in_stack = std::find(stack_.begin(), stack_.end(), slug);
    if (in_stack != stack_.end()) {
      std::string path;
      for (auto it = in_stack; it != stack_.end(); ++it) path += *it + " → ";
      cycle_ = "INCLUDE cycle: " + path + slug +
               "; an audience cannot include itself, directly or through other audiences";
      return LangError(p.slug.pos, *cycle_);
    }
    if (auto cached = cache_.find(slug); cached != cache_.end()) return cached->second;
    std::optional<std::string> text;
    if (schema_.segment_text) text = schema_.segment_text(slug);
    if (!text) {
      return LangError(p.slug.pos, "unknown audience " + Q(slug) +
                                       "; INCLUDE names a saved audience by its slug");
    }
    auto wrap = [&](const LangError& e) {
      // A cycle is reported where it starts, in the text being compiled.
      if (cycle_) return LangError(p.slug.pos, *cycle_);
      return LangError(p.slug.pos, "audience " + Q(slug) + " cannot be included: " + e.ToString());
    };
    Result<FilterAst> ast = Parse(*text);
    if (!ast.ok()) return wrap(ast.error());
    stack_.push_back(slug);
    Result<NodePtr> child = Filter(ast.value());
    stack_.pop_back();
    if (!child.ok()) return wrap(child.error());
    auto node = std::make_shared<BoundNode>();
    node->op = Op::kInclude;
    node->pos = p.pos;
    node->slug = slug;
    node->children.push_back(std::move(child).value());
    LANG_ASSIGN_OR_RETURN(NodePtr done, Finish(std::move(node)));
    cache_.emplace(slug, done);
    includes_.insert(slug);
    return done;
  }

  const Schema& schema_;
  std::vector<std::string> stack_;  // audiences being bound, outermost first
  std::map<std::string, NodePtr> cache_;
  std::optional<std::string> cycle_;
  std::set<std::string> fields_;
  std::set<std::string> includes_;
  bool time_relative_ = false;
};

}  // namespace

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > kMaxSlug) return false;
  return std::all_of(slug.begin(), slug.end(), ValidSlugChar);
}

Result<BoundFilter> Bind(const FilterAst& ast, const Schema& schema, std::string_view self_slug) {
  return Binder(schema).Top(ast, self_slug);
}

}  // namespace cohort::segment
