#include "segment/segment.h"

#include <utility>

#include "segment/evaluator.h"
#include "segment/parser.h"

namespace cohort::segment {

bool CompiledSegment::Matches(const profile::Profile& p, int64_t now_ms) const {
  return Evaluate(program_, p, now_ms);
}

std::optional<int64_t> CompiledSegment::NextChange(const profile::Profile& p,
                                                   int64_t now_ms) const {
  return segment::NextChange(program_, p, now_ms);
}

lang::Result<std::shared_ptr<const CompiledSegment>> CompileWithPosition(
    std::string_view text, const Schema& schema, std::string_view self_slug) {
  LANG_ASSIGN_OR_RETURN(FilterAst ast, Parse(text));
  LANG_ASSIGN_OR_RETURN(BoundFilter bound, Bind(ast, schema, self_slug));
  std::shared_ptr<CompiledSegment> s(new CompiledSegment());
  s->text_ = std::string(text);
  s->alias_ = bound.alias;
  s->program_ = CompileProgram(bound);
  s->bound_ = std::move(bound);
  return std::shared_ptr<const CompiledSegment>(std::move(s));
}

StatusOr<std::shared_ptr<const CompiledSegment>> Compile(std::string_view text,
                                                         const Schema& schema,
                                                         std::string_view self_slug) {
  auto r = CompileWithPosition(text, schema, self_slug);
  if (!r.ok()) return r.error().ToStatus();
  return std::move(r).value();
}

}  // namespace cohort::segment
