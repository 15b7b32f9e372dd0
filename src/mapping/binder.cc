#include "mapping/binder.h"

#include "lang/edit_distance.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "lang/text.h"

namespace cohort::mapping {

using lang::LangError;
using lang::Result;

namespace {

constexpr size_t kMaxFieldName = 128;
constexpr size_t kMaxStreamName = 64;

// Where an expression stands, which decides what it may contain.
enum class Place { kColumn, kNested, kCondition };

using lang::EditDistance;

std::string AllKindNames() {
  std::string out;
  for (int k = 1; k <= 11; ++k) {
    if (!out.empty()) out += ", ";
    out += KindName(static_cast<Kind>(k));
  }
  return out;
}

std::string AllowedOps(Kind kind) {
  std::string out;
  for (int k = 1; k <= 11; ++k) {
    MergeOp op = static_cast<MergeOp>(k);
    if (!MergeOpAllowed(kind, op)) continue;
    if (!out.empty()) out += ", ";
    out += MergeOpName(op);
  }
  return out;
}

std::string AllOpNames() {
  std::string out;
  for (int k = 1; k <= 11; ++k) {
    if (!out.empty()) out += ", ";
    out += MergeOpName(static_cast<MergeOp>(k));
  }
  return out;
}

// "a string", "an int", "a field", ... for messages.
std::string WithArticle(ExprType t) {
  std::string_view name = ExprTypeName(t);
  bool vowel = name == "int";
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

std::string CallName(const FunctionDef& fn) { return std::string(fn.name) + "()"; }

bool IsWholeColumn(FunctionRole role) {
  return role != FunctionRole::kScalar && role != FunctionRole::kOperator;
}

class Binder {
 public:
  explicit Binder(std::string_view text) : text_(text) {}

  Result<BoundStatement> Run(const StatementAst& ast) {
    BoundStatement st;
    for (size_t i = 0; i < ast.columns.size(); ++i) {
      LANG_ASSIGN_OR_RETURN(BoundColumn col, Column(ast.columns[i]));
      for (size_t j = 0; j < st.columns.size(); ++j) {
        if (st.columns[j].name == col.name) {
          const ColumnAst& c = ast.columns[i];
          lang::Position pos = c.as ? c.as->pos : c.expr.pos;
          return LangError(pos, "field '" + col.name + "' is already set by column " +
                                    std::to_string(j + 1) + "; give each column its own AS name");
        }
      }
      st.columns.push_back(std::move(col));
    }

    if (!IsValidStreamName(ast.from.text)) {
      return LangError(ast.from.pos, "stream name '" + ast.from.text +
                                         "' is not valid; use 1 to 64 characters a-z, 0-9 and _");
    }
    st.from = ast.from.text;
    if (lang::AsciiLower(ast.into.text) != "user") {
      return LangError(ast.into.pos, "INTO must be user, found '" + ast.into.text +
                                         "'; only user profiles are supported");
    }
    st.into = "user";

    for (const Word& w : ast.by) {
      if (std::find(st.by.begin(), st.by.end(), w.text) != st.by.end()) {
        return LangError(w.pos, "BY field '" + w.text + "' is named twice; name it once");
      }
      auto it = std::find_if(st.columns.begin(), st.columns.end(),
                             [&](const BoundColumn& c) { return c.name == w.text; });
      if (it == st.columns.end()) {
        return LangError(w.pos, "BY field '" + w.text +
                                    "' is not a column of this statement; add a column AS " +
                                    w.text + ", or fix the name");
      }
      if (it->kind != Kind::kString) {
        return LangError(w.pos, "BY field '" + w.text + "' has KIND " +
                                    std::string(KindName(it->kind)) +
                                    "; identity fields must be KIND string");
      }
      st.by.push_back(w.text);
      st.by_columns.push_back(static_cast<size_t>(it - st.columns.begin()));
    }

    if (ast.where) {
      LANG_ASSIGN_OR_RETURN(st.where, Condition(*ast.where, "WHERE"));
    }
    if (!IsValidStreamName(ast.alias.text)) {
      return LangError(ast.alias.pos, "alias '" + ast.alias.text +
                                          "' is not valid; use 1 to 64 characters a-z, 0-9 and _");
    }
    st.alias = ast.alias.text;

    return st;
  }

 private:
  Result<BoundExpr> Condition(const Expr& e, std::string_view clause) {
    LANG_ASSIGN_OR_RETURN(BoundExpr b, Bind(e, Place::kCondition));
    if (b.type != ExprType::kBool && b.type != ExprType::kAny) {
      return LangError(e.pos, std::string(clause) + " needs a condition, found " +
                                  WithArticle(b.type) +
                                  "; compare the value, e.g. metric = \"opened\"");
    }
    return b;
  }

  Result<BoundExpr> Bind(const Expr& e, Place place) {
    BoundExpr b;
    b.node = e.type;
    b.pos = e.pos;
    switch (e.type) {
      case Expr::Type::kLiteral:
        b.literal = e.literal;
        switch (e.literal.type) {
          case Scalar::Type::kBool:
            b.type = ExprType::kBool;
            break;
          case Scalar::Type::kInt:
            b.type = ExprType::kInt;
            break;
          case Scalar::Type::kNumber:
            b.type = ExprType::kNumber;
            break;
          default:
            b.type = ExprType::kString;
            break;
        }
        return b;
      case Expr::Type::kField:
        b.path = e.path;
        b.type = ExprType::kAny;
        return b;
      case Expr::Type::kCall:
        break;
    }
    const FunctionDef* fn = FindFunction(e.name);
    if (fn == nullptr || (fn->role == FunctionRole::kOperator && !e.is_operator)) {
      return LangError(e.pos, "unknown function '" + e.spelling + "'; " + Suggest(e.name));
    }
    int n = static_cast<int>(e.args.size());
    if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
      return LangError(e.pos, ArityMessage(*fn, n));
    }
    if (IsWholeColumn(fn->role) && place != Place::kColumn) {
      if (place == Place::kCondition) {
        return LangError(e.pos, CallName(*fn) +
                                    " cannot be used in WHERE or IF; it builds a column's "
                                    "value, use it as a column's whole expression");
      }
      std::string example =
          fn->max_args == 0 ? "use it alone, e.g. count() AS n"
          : fn->role == FunctionRole::kMap
              ? "apply other functions inside it, e.g. map(lower(key), value)"
              : "apply other functions inside it, e.g. " + std::string(fn->name) + "(lower(x))";
      return LangError(e.pos,
                       CallName(*fn) + " must be the whole expression of a column; " + example);
    }
    b.fn = fn;
    Place inner = place == Place::kCondition ? Place::kCondition : Place::kNested;
    for (const Expr& arg : e.args) {
      LANG_ASSIGN_OR_RETURN(BoundExpr a, Bind(arg, inner));
      if (fn->role == FunctionRole::kOperator && a.type != ExprType::kBool &&
          a.type != ExprType::kAny) {
        return LangError(arg.pos, e.spelling + " needs conditions, found " + WithArticle(a.type) +
                                      "; compare the value, e.g. x = \"...\"");
      }
      b.args.push_back(std::move(a));
    }
    b.type = fn->result_is_arg ? b.args[0].type : fn->result;
    return b;
  }

  static std::string Suggest(std::string_view name) {
    const FunctionDef* best = nullptr;
    size_t best_d = 3;
    for (const FunctionDef& f : AllFunctions()) {
      if (f.role == FunctionRole::kOperator) continue;
      size_t d = EditDistance(name, f.name);
      if (d < best_d) {
        best_d = d;
        best = &f;
      }
    }
    if (best) return "did you mean " + std::string(best->usage) + "?";
    return "see the function list in docs/mapping.md";
  }

  static std::string ArityMessage(const FunctionDef& fn, int n) {
    std::string takes;
    if (fn.max_args < 0) {
      takes = "at least " + std::to_string(fn.min_args) + " arguments";
    } else if (fn.min_args == fn.max_args) {
      takes = std::to_string(fn.min_args) + (fn.min_args == 1 ? " argument" : " arguments");
    } else {
      takes = std::to_string(fn.min_args) + " or " + std::to_string(fn.max_args) + " arguments";
    }
    return CallName(fn) + " takes " + takes + ", got " + std::to_string(n) + "; call it as " +
           std::string(fn.usage);
  }

  Result<BoundColumn> Column(const ColumnAst& c) {
    BoundColumn col;
    col.source = std::string(text_.substr(c.begin, c.end - c.begin));
    if (c.shortdesc) col.shortdesc = c.shortdesc->text;
    if (c.longdesc) col.longdesc = c.longdesc->text;

    LANG_ASSIGN_OR_RETURN(col.expr, Bind(c.expr, Place::kColumn));
    if (c.as) {
      if (!IsValidFieldName(c.as->text)) {
        return LangError(c.as->pos, "field name '" + c.as->text +
                                        "' is not valid; use letters, digits and _, not "
                                        "starting with a digit");
      }
      col.name = c.as->text;
    } else if (c.expr.type == Expr::Type::kField && c.expr.path.size() == 1 &&
               IsValidFieldName(c.expr.path[0])) {
      col.name = c.expr.path[0];
    } else {
      return LangError(c.expr.pos, "this column needs a name; add AS <field> after it");
    }

    if (c.guard) {
      LANG_ASSIGN_OR_RETURN(col.guard, Condition(*c.guard, "IF"));
    }
    LANG_RETURN_IF_ERROR(ResolveKindAndOp(c, &col));
    return col;
  }

  // Sets col->kind, col->op and col->value_is_ms from KIND, MERGEOP and the expression.
  lang::Check ResolveKindAndOp(const ColumnAst& c, BoundColumn* col) {
    const BoundExpr& e = col->expr;
    FunctionRole role = e.fn ? e.fn->role : FunctionRole::kScalar;
    ExprType arg_type = e.args.empty() ? ExprType::kAny : e.args[0].type;

    std::optional<Kind> kind;
    if (c.kind) {
      kind = ParseKind(lang::AsciiLower(c.kind->text));
      if (!kind) {
        return LangError(c.kind->pos,
                         "unknown kind '" + c.kind->text + "'; use one of " + AllKindNames());
      }
    }
    std::optional<MergeOp> op;
    if (c.mergeop) {
      op = ParseMergeOp(lang::AsciiLower(c.mergeop->text));
      if (!op) {
        return LangError(c.mergeop->pos,
                         "unknown merge op '" + c.mergeop->text + "'; use one of " + AllOpNames());
      }
    }
    lang::Position kind_pos = c.kind ? c.kind->pos : c.expr.pos;
    auto kind_error = [&](std::string_view what) {
      return LangError(kind_pos, CallName(*e.fn) + " " + std::string(what));
    };
    auto is_one_of = [&](std::initializer_list<Kind> ks) {
      return std::find(ks.begin(), ks.end(), *kind) != ks.end();
    };

    std::optional<MergeOp> fixed_op;
    ExprType value_type = e.type;
    switch (role) {
      case FunctionRole::kCount:
      case FunctionRole::kSum:
        fixed_op = role == FunctionRole::kCount ? MergeOp::kCount : MergeOp::kSum;
        if (!kind) {
          kind = role == FunctionRole::kCount || arg_type == ExprType::kInt ? Kind::kInt
                                                                            : Kind::kNumber;
        }
        if (!is_one_of({Kind::kInt, Kind::kNumber})) {
          return kind_error(role == FunctionRole::kCount
                                ? "counts events; use KIND int or KIND number"
                                : "adds up numbers; use KIND int or KIND number");
        }
        break;
      case FunctionRole::kMin:
      case FunctionRole::kMax:
        fixed_op = role == FunctionRole::kMin ? MergeOp::kMin : MergeOp::kMax;
        if (!kind) {
          switch (arg_type) {
            case ExprType::kDate:
              kind = Kind::kDate;
              break;
            case ExprType::kInt:
              kind = Kind::kInt;
              break;
            case ExprType::kString:
              kind = Kind::kString;
              break;
            default:
              kind = Kind::kNumber;
              break;
          }
        }
        if (!is_one_of({Kind::kString, Kind::kInt, Kind::kNumber, Kind::kDate})) {
          return kind_error("keeps one value; use KIND string, int, number or date");
        }
        value_type = arg_type;
        break;
      case FunctionRole::kSet:
        if (!kind) kind = Kind::kStringSet;
        if (*kind != Kind::kStringSet) return kind_error("gives a set; use KIND []string");
        break;
      case FunctionRole::kValueCount:
        if (!kind) kind = Kind::kMapIntSum;
        if (*kind != Kind::kMapIntSum) {
          return kind_error("counts values; use KIND map[string]intsum");
        }
        break;
      case FunctionRole::kMap:
        value_type = e.args[1].type;
        if (!kind) {
          switch (value_type) {
            case ExprType::kDate:
              kind = Kind::kMapTime;
              break;
            case ExprType::kInt:
              kind = Kind::kMapInt;
              break;
            case ExprType::kNumber:
              kind = Kind::kMapNumber;
              break;
            default:
              kind = Kind::kMapString;
              break;
          }
        }
        if (!IsMapKind(*kind)) {
          return kind_error("gives a map; use a map KIND, e.g. KIND map[string]string");
        }
        break;
      case FunctionRole::kScalar:
      case FunctionRole::kOperator:
        if (!kind) {
          switch (e.type) {
            case ExprType::kBool:
              kind = Kind::kBool;
              break;
            case ExprType::kInt:
              kind = Kind::kInt;
              break;
            case ExprType::kNumber:
              kind = Kind::kNumber;
              break;
            case ExprType::kDate:
              kind = Kind::kDate;
              break;
            default:
              kind = Kind::kString;
              break;
          }
        }
        if (IsMapKind(*kind) && *kind != Kind::kMapIntSum && e.type != ExprType::kAny) {
          return LangError(kind_pos, "KIND " + std::string(KindName(*kind)) +
                                         " needs keys; build the value with map(key, value)");
        }
        break;
    }

    if (op && *op != MergeOp::kDefault && !MergeOpAllowed(*kind, *op)) {
      return LangError(c.mergeop->pos,
                       "MERGEOP " + std::string(MergeOpName(*op)) + " is not allowed for KIND " +
                           std::string(KindName(*kind)) + "; use one of " + AllowedOps(*kind));
    }
    if (fixed_op && op && *op != MergeOp::kDefault && *op != *fixed_op) {
      return LangError(c.mergeop->pos, CallName(*e.fn) + " always merges with " +
                                           std::string(MergeOpName(*fixed_op)) +
                                           "; leave MERGEOP out");
    }
    col->kind = *kind;
    if (fixed_op) {
      col->op = *fixed_op;
    } else if (op && *op != MergeOp::kDefault) {
      col->op = *op;
    } else {
      col->op = DefaultMergeOp(*kind);
    }
    col->value_is_ms = value_type == ExprType::kDate;
    return std::nullopt;
  }

  std::string_view text_;
};

}  // namespace

bool IsValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldName) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > kMaxStreamName) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

Result<BoundStatement> Bind(const StatementAst& ast, std::string_view text) {
  return Binder(text).Run(ast);
}

}  // namespace cohort::mapping
