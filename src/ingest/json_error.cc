#include "ingest/json_error.h"

#include <cctype>

namespace cohort::ingest {
namespace {

class Scanner {
 public:
  Scanner(std::string_view t, size_t max_depth) : t_(t), max_depth_(max_depth) {}

  bool Document(JsonErrorLocation* loc) {
    Ws();
    bool ok = Value(0);
    if (ok) {
      Ws();
      if (p_ != t_.size()) ok = Fail("unexpected text after the JSON value");
    }
    if (!ok) Locate(loc);
    return ok;
  }

 private:
  bool Fail(const char* what) {
    what_ = what;
    return false;
  }
  void Locate(JsonErrorLocation* loc) {
    loc->offset = p_;
    loc->what = what_;
    loc->line = 1;
    loc->column = 1;
    for (size_t i = 0; i < p_ && i < t_.size(); ++i) {
      if (t_[i] == '\n') {
        ++loc->line;
        loc->column = 1;
      } else {
        ++loc->column;
      }
    }
  }
  void Ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  bool Literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) return Fail("invalid literal (expected a value)");
    p_ += word.size();
    return true;
  }
  bool Value(size_t depth) {
    if (p_ >= t_.size()) return Fail("unexpected end of input (expected a value)");
    switch (t_[p_]) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }
  bool Eat(char c) {
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  // An object or array whose opening bracket is at p_: members parsed by `member`, separated
  // by ',' and ended by `close`.
  template <typename Member>
  bool Container(size_t depth, char close, const char* bad_separator, Member member) {
    if (depth > max_depth_) return Fail("nested too deeply");
    ++p_;
    Ws();
    if (Eat(close)) return true;
    for (;;) {
      Ws();
      if (!member()) return false;
      Ws();
      if (Eat(',')) continue;
      if (Eat(close)) return true;
      return Fail(bad_separator);
    }
  }
  bool Object(size_t depth) {
    return Container(depth, '}', "expected ',' or '}' after an object member", [&] {
      if (p_ >= t_.size() || t_[p_] != '"') return Fail("expected a string key");
      if (!String()) return false;
      Ws();
      if (!Eat(':')) return Fail("expected ':' after an object key");
      Ws();
      return Value(depth);
    });
  }
  bool Array(size_t depth) {
    return Container(depth, ']', "expected ',' or ']' after an array element",
                     [&] { return Value(depth); });
  }
  bool String() {
    ++p_;  // opening quote
    while (p_ < t_.size()) {
      unsigned char c = static_cast<unsigned char>(t_[p_]);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return Fail("control character inside a string (escape it)");
      if (c == '\\') {
        ++p_;
        if (p_ >= t_.size()) break;
        char e = t_[p_];
        if (e == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (p_ + i >= t_.size() || !isxdigit(static_cast<unsigned char>(t_[p_ + i]))) {
              return Fail("invalid \\u escape");
            }
          }
          p_ += 5;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return Fail("invalid escape in a string");
        }
        ++p_;
        continue;
      }
      if (c >= 0x80) {
        if (!Utf8()) return false;
        continue;
      }
      ++p_;
    }
    return Fail("unterminated string");
  }
  bool Utf8() {
    unsigned char c = static_cast<unsigned char>(t_[p_]);
    int n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
    if (n < 0 || c == 0xc0 || c == 0xc1 || c > 0xf4) return Fail("invalid UTF-8");
    for (int i = 1; i <= n; ++i) {
      if (p_ + i >= t_.size() || (static_cast<unsigned char>(t_[p_ + i]) & 0xc0) != 0x80) {
        return Fail("invalid UTF-8");
      }
    }
    p_ += n + 1;
    return true;
  }
  bool Number() {
    size_t start = p_;
    if (p_ < t_.size() && t_[p_] == '-') ++p_;
    if (p_ >= t_.size() || !isdigit(static_cast<unsigned char>(t_[p_]))) {
      p_ = start;
      return Fail("expected a value");
    }
    if (t_[p_] == '0') {
      ++p_;
    } else {
      while (p_ < t_.size() && isdigit(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      if (p_ >= t_.size() || !isdigit(static_cast<unsigned char>(t_[p_]))) return Fail("invalid number");
      while (p_ < t_.size() && isdigit(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (p_ >= t_.size() || !isdigit(static_cast<unsigned char>(t_[p_]))) return Fail("invalid number");
      while (p_ < t_.size() && isdigit(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    return true;
  }

  std::string_view t_;
  size_t max_depth_;
  size_t p_ = 0;
  const char* what_ = "";
};

}  // namespace

bool FindJsonError(std::string_view text, size_t max_depth, JsonErrorLocation* loc) {
  return Scanner(text, max_depth).Document(loc);
}

}  // namespace cohort::ingest
