#include "mapping/compiler.h"

#include <utility>

#include "mapping/event.h"

namespace cohort::mapping {
namespace {

ExprFn CompileExpr(const BoundExpr& e) {
  switch (e.node) {
    case Expr::Type::kLiteral: {
      Datum value = Datum::Of(e.literal);
      return [value](const EvalContext&) { return value; };
    }
    case Expr::Type::kField: {
      std::vector<std::string> path = e.path;
      return [path](const EvalContext& ctx) {
        if (ctx.event == nullptr) return Datum::Empty();
        return LookupField(*ctx.event, path);
      };
    }
    case Expr::Type::kCall:
      break;
  }
  std::vector<ExprFn> args;
  for (const BoundExpr& a : e.args) args.push_back(CompileExpr(a));
  const FunctionDef* fn = e.fn;
  // AND and OR stop at a deciding left side (false, true); the result is the same either way.
  if (fn->name == "and" || fn->name == "or") {
    bool decides = fn->name == "or";
    return [fn, decides, l = args[0], r = args[1]](const EvalContext& ctx) {
      Datum d[2] = {l(ctx), Datum::Empty()};
      if (Truth(d[0]) == decides) return Datum::Of(Scalar::Bool(decides));
      d[1] = r(ctx);
      return fn->impl(std::span<Datum>(d, 2), ctx);
    };
  }
  return [fn, args = std::move(args)](const EvalContext& ctx) {
    // Most calls have few arguments: keep them on the stack (one call per node per event).
    constexpr size_t kInline = 4;
    if (args.size() <= kInline) {
      Datum values[kInline];
      for (size_t i = 0; i < args.size(); ++i) values[i] = args[i](ctx);
      return fn->impl(std::span<Datum>(values, args.size()), ctx);
    }
    std::vector<Datum> values;
    values.reserve(args.size());
    for (const ExprFn& a : args) values.push_back(a(ctx));
    return fn->impl(values, ctx);
  };
}

}  // namespace

Plan CompilePlan(const BoundStatement& st) {
  Plan plan;
  for (const BoundColumn& c : st.columns) {
    PlanColumn pc;
    pc.name = c.name;
    pc.kind = c.kind;
    pc.op = c.op;
    pc.value_is_ms = c.value_is_ms;
    pc.value = CompileExpr(c.expr);
    if (c.guard) pc.guard = CompileExpr(*c.guard);
    plan.columns.push_back(std::move(pc));
  }
  for (size_t i : st.by_columns) {
    plan.columns[i].identity = true;
    plan.identity_columns.push_back(i);
  }
  if (st.where) plan.where = CompileExpr(*st.where);
  return plan;
}

}  // namespace cohort::mapping
