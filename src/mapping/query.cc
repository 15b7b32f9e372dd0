#include "mapping/query.h"

#include <utility>

#include "mapping/binder.h"
#include "mapping/compiler.h"
#include "mapping/parser.h"

namespace cohort::mapping {

CompiledQuery::~CompiledQuery() = default;

const ColumnInfo* CompiledQuery::FindColumn(std::string_view field) const {
  for (const ColumnInfo& c : columns_) {
    if (c.name == field) return &c;
  }
  return nullptr;
}

std::optional<Evaluation> CompiledQuery::Evaluate(const simdjson::dom::element& event,
                                                  int64_t event_time_ms, int64_t now_ms,
                                                  const IdentityGuard& guard) const {
  EvalContext ctx;
  ctx.event = &event;
  ctx.event_time_ms = event_time_ms;
  ctx.now_ms = now_ms;
  return RunPlan(*plan_, ctx, guard);
}

StatusOr<std::optional<Evaluation>> CompiledQuery::EvaluateJson(std::string_view json,
                                                                int64_t event_time_ms,
                                                                int64_t now_ms,
                                                                const IdentityGuard& guard) const {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) {
    return InvalidArgumentError(std::string("event is not valid JSON: ") +
                                simdjson::error_message(err) + "; send one JSON object");
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return InvalidArgumentError("event is not a JSON object; send one JSON object");
  }
  return Evaluate(root, event_time_ms, now_ms, guard);
}

lang::Result<std::shared_ptr<const CompiledQuery>> CompileWithPosition(std::string_view text) {
  LANG_ASSIGN_OR_RETURN(StatementAst ast, Parse(text));
  LANG_ASSIGN_OR_RETURN(BoundStatement st, Bind(ast, text));
  std::shared_ptr<CompiledQuery> q(new CompiledQuery());
  q->text_ = std::string(text);
  q->alias_ = st.alias;
  q->from_ = st.from;
  q->into_ = st.into;
  q->by_ = st.by;
  for (size_t i = 0; i < st.columns.size(); ++i) {
    const BoundColumn& c = st.columns[i];
    ColumnInfo info;
    info.name = c.name;
    info.kind = c.kind;
    info.op = c.op;
    info.shortdesc = c.shortdesc;
    info.longdesc = c.longdesc;
    info.source = c.source;
    for (size_t b : st.by_columns) info.identity = info.identity || b == i;
    q->columns_.push_back(std::move(info));
  }
  q->plan_ = std::make_unique<const Plan>(CompilePlan(st));
  return std::shared_ptr<const CompiledQuery>(std::move(q));
}

StatusOr<std::shared_ptr<const CompiledQuery>> Compile(std::string_view text) {
  auto r = CompileWithPosition(text);
  if (!r.ok()) return r.error().ToStatus();
  return std::move(r).value();
}

}  // namespace cohort::mapping
