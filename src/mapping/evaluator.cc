#include "mapping/evaluator.h"

#include <utility>

#include "mapping/convert.h"

namespace cohort::mapping {

std::optional<Evaluation> RunPlan(const Plan& plan, const EvalContext& ctx,
                                  const IdentityGuard& guard) {
  if (plan.where && !IsTrue(plan.where(ctx))) return std::nullopt;
  Evaluation out;
  out.updates.reserve(plan.columns.size());
  out.identities.reserve(plan.identity_columns.size());
  // Index into out.updates of each column's update, for collecting identities in BY order.
  std::vector<int> update_of(plan.columns.size(), -1);
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    const PlanColumn& c = plan.columns[i];
    if (c.guard && !IsTrue(c.guard(ctx))) continue;
    Value v = ToValue(c.value(ctx), c.kind, c.op, c.value_is_ms);
    if (v.empty()) continue;
    if (c.identity && !guard.Allows(v.scalar.s)) continue;
    FieldUpdate u;
    u.field = c.name;
    u.kind = c.kind;
    u.op = c.op;
    u.value = std::move(v);
    u.event_time_ms = ctx.event_time_ms;
    update_of[i] = static_cast<int>(out.updates.size());
    out.updates.push_back(std::move(u));
  }
  for (size_t i : plan.identity_columns) {
    if (update_of[i] < 0) continue;
    const FieldUpdate& u = out.updates[update_of[i]];
    out.identities.push_back({u.field, u.value.scalar.s});
  }
  return out;
}

}  // namespace cohort::mapping
