#include "lang/lexer.h"

#include <cctype>
#include <cstdint>
#include <string>

namespace cohort::lang {
namespace {

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || std::isdigit(c); }

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  Lexer(std::string_view src, const LexerOptions& options) : src_(src), options_(options) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    bool line_has_token = false;
    while (true) {
      SkipSpaceAndComments();
      if (i_ >= src_.size()) break;
      char c = src_[i_];
      if (c == '\n') {
        if (options_.emit_newlines && line_has_token) {
          tokens.push_back(Make(TokenKind::kNewline, i_, 1));
        } else {
          Advance();
        }
        line_has_token = false;
        continue;
      }
      line_has_token = true;
      LANG_ASSIGN_OR_RETURN(Token t, Next());
      tokens.push_back(std::move(t));
    }
    if (options_.emit_newlines && line_has_token) {
      tokens.push_back(Make(TokenKind::kNewline, i_, 0));
    }
    tokens.push_back(Make(TokenKind::kEnd, i_, 0));
    return tokens;
  }

 private:
  Position Here() const { return {line_, column_}; }

  // Moves past one byte, keeping line and column.
  void Advance() {
    unsigned char c = static_cast<unsigned char>(src_[i_++]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;
    }
  }

  void SkipSpaceAndComments() {
    while (i_ < src_.size()) {
      char c = src_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && i_ + 1 < src_.size() && src_[i_ + 1] == '-') {
        while (i_ < src_.size() && src_[i_] != '\n') Advance();
      } else {
        return;
      }
    }
  }

  // A token of `len` bytes starting at the current position, which it moves past.
  Token Make(TokenKind kind, size_t start, size_t len) {
    Token t;
    t.kind = kind;
    t.pos = Here();
    t.offset = start;
    t.text = src_.substr(start, len);
    t.value = std::string(t.text);
    for (size_t k = 0; k < len; ++k) Advance();
    return t;
  }

  Result<Token> Next() {
    unsigned char c = static_cast<unsigned char>(src_[i_]);
    if (IsIdentStart(c)) {
      size_t j = i_;
      while (j < src_.size() && IsIdentChar(static_cast<unsigned char>(src_[j]))) ++j;
      return Make(TokenKind::kIdentifier, i_, j - i_);
    }
    if (std::isdigit(c)) return Number();
    if (c == '"' || c == '\'') return String();
    if (c == '`') return QuotedIdentifier();
    auto peek = [&](char next) { return i_ + 1 < src_.size() && src_[i_ + 1] == next; };
    switch (c) {
      case '=':
        return Make(TokenKind::kEq, i_, peek('=') ? 2 : 1);
      case '!':
        if (peek('=')) return Make(TokenKind::kNe, i_, 2);
        break;
      case '<':
        if (peek('=')) return Make(TokenKind::kLe, i_, 2);
        if (peek('>')) return Make(TokenKind::kNe, i_, 2);
        return Make(TokenKind::kLt, i_, 1);
      case '>':
        if (peek('=')) return Make(TokenKind::kGe, i_, 2);
        return Make(TokenKind::kGt, i_, 1);
      case '(':
        return Make(TokenKind::kLParen, i_, 1);
      case ')':
        return Make(TokenKind::kRParen, i_, 1);
      case '[':
        return Make(TokenKind::kLBracket, i_, 1);
      case ']':
        return Make(TokenKind::kRBracket, i_, 1);
      case ',':
        return Make(TokenKind::kComma, i_, 1);
      case '.':
        return Make(TokenKind::kDot, i_, 1);
      case '-':
        return Make(TokenKind::kMinus, i_, 1);
      case ';':
        return Make(TokenKind::kSemicolon, i_, 1);
      default:
        break;
    }
    std::string shown =
        c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c)) : "byte " + std::to_string(c);
    return LangError(Here(), "unexpected character '" + shown +
                                 "'; remove it, or quote text with \"...\" and names with `...`");
  }

  Result<Token> Number() {
    size_t j = i_;
    auto digits = [&] {
      while (j < src_.size() && std::isdigit(static_cast<unsigned char>(src_[j]))) ++j;
    };
    digits();
    if (j + 1 < src_.size() && src_[j] == '.' &&
        std::isdigit(static_cast<unsigned char>(src_[j + 1]))) {
      ++j;
      digits();
    }
    if (j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && std::isdigit(static_cast<unsigned char>(src_[k]))) {
        j = k;
        digits();
      }
    }
    if (j < src_.size() && IsIdentChar(static_cast<unsigned char>(src_[j]))) {
      size_t end = j;
      while (end < src_.size() && IsIdentChar(static_cast<unsigned char>(src_[end]))) ++end;
      return LangError(Here(), "malformed number '" + std::string(src_.substr(i_, end - i_)) +
                                   "'; write a number like 12 or 1.5, or back-quote a name");
    }
    return Make(TokenKind::kNumber, i_, j - i_);
  }

  Result<Token> String() {
    Token t;
    t.kind = TokenKind::kString;
    t.pos = Here();
    t.offset = i_;
    char quote = src_[i_];
    Advance();
    std::string value;
    while (true) {
      if (i_ >= src_.size()) {
        return LangError(t.pos, std::string("unterminated string; close it with ") + quote);
      }
      char c = src_[i_];
      if (c == quote) {
        Advance();
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        Advance();
        continue;
      }
      Position esc = Here();
      Advance();
      if (i_ >= src_.size()) {
        return LangError(t.pos, std::string("unterminated string; close it with ") + quote);
      }
      char e = src_[i_];
      Advance();
      switch (e) {
        case '"':
        case '\'':
        case '\\':
        case '/':
        case '`':
          value.push_back(e);
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case 'u': {
          LANG_ASSIGN_OR_RETURN(uint32_t cp, Hex4(esc));
          if (cp >= 0xD800 && cp < 0xDC00) {
            // A high surrogate must be followed by \u and a low surrogate.
            if (i_ + 1 < src_.size() && src_[i_] == '\\' && src_[i_ + 1] == 'u') {
              Advance();
              Advance();
              LANG_ASSIGN_OR_RETURN(uint32_t lo, Hex4(esc));
              if (lo < 0xDC00 || lo > 0xDFFF) return BadUnicode(esc);
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              return BadUnicode(esc);
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return BadUnicode(esc);
          }
          AppendUtf8(&value, cp);
          break;
        }
        default:
          return LangError(
              esc, std::string("unknown escape '\\") + e + "' in string; use \\\\ for a backslash");
      }
    }
    t.text = src_.substr(t.offset, i_ - t.offset);
    t.value = std::move(value);
    return t;
  }

  Result<uint32_t> Hex4(Position esc) {
    uint32_t cp = 0;
    for (int k = 0; k < 4; ++k) {
      if (i_ >= src_.size() || !std::isxdigit(static_cast<unsigned char>(src_[i_]))) {
        return BadUnicode(esc);
      }
      char h = src_[i_];
      cp = cp * 16 + (std::isdigit(static_cast<unsigned char>(h))
                          ? h - '0'
                          : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
      Advance();
    }
    return cp;
  }

  static LangError BadUnicode(Position esc) {
    return LangError(esc,
                     "bad \\u escape in string; write four hex digits, e.g. \\u00e9, and "
                     "surrogates in pairs");
  }

  Result<Token> QuotedIdentifier() {
    Token t;
    t.kind = TokenKind::kQuotedIdentifier;
    t.pos = Here();
    t.offset = i_;
    Advance();
    std::string value;
    while (true) {
      if (i_ >= src_.size() || src_[i_] == '\n') {
        return LangError(t.pos, "unterminated back-quoted name; close it with `");
      }
      if (src_[i_] == '`') {
        if (i_ + 1 < src_.size() && src_[i_ + 1] == '`') {
          value.push_back('`');
          Advance();
          Advance();
          continue;
        }
        Advance();
        break;
      }
      value.push_back(src_[i_]);
      Advance();
    }
    if (value.empty()) return LangError(t.pos, "empty back-quoted name; write a name inside ``");
    t.text = src_.substr(t.offset, i_ - t.offset);
    t.value = std::move(value);
    return t;
  }

  std::string_view src_;
  LexerOptions options_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view source, const LexerOptions& options) {
  return Lexer(source, options).Run();
}

}  // namespace cohort::lang
