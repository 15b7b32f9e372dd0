#include "lang/error.h"

namespace cohort::lang {

// Built with append rather than operator+ chains, which trip a GCC 12 -Wrestrict false
// positive.
std::string Position::ToString() const {
  std::string out = std::to_string(line);
  out.push_back(':');
  out.append(std::to_string(column));
  return out;
}

std::string LangError::ToString() const {
  std::string out = pos_.ToString();
  out.append(": ").append(message_);
  return out;
}

Status LangError::ToStatus() const {
  std::string out = "line ";
  out.append(std::to_string(pos_.line)).append(", column ").append(std::to_string(pos_.column));
  out.append(": ").append(message_);
  return InvalidArgumentError(std::move(out));
}

}  // namespace cohort::lang
